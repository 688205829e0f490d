namespace AutoencoderDsl.Images;

/// <summary>How an image whose aspect ratio differs from the model's input is brought to its height and width.</summary>
public enum ResizeMode
{
    /// <summary>Scaled to keep its aspect ratio until it covers the target, then the middle cut out (the default).</summary>
    CropToFit,

    /// <summary>Scaled to keep its aspect ratio until it fits inside the target, centred, the rest filled with <see cref="ImageFolderOptions.Padding"/>.</summary>
    PadToFit,

    /// <summary>Scaled to the target's height and width independently, distorting its aspect ratio.</summary>
    Stretch,
}

/// <summary>A solid colour behind transparent pixels or around a padded image.</summary>
public enum ImageBackground
{
    /// <summary>Every channel 0.</summary>
    Black,

    /// <summary>Every channel 1 (255 before scaling).</summary>
    White,
}

/// <summary>How <see cref="ImageFolder.Open"/> converts, checks and caches a folder's images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>How an image of another aspect ratio is brought to the model's height and width; <see cref="ResizeMode.CropToFit"/> by default.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.CropToFit;

    /// <summary>
    /// What transparent pixels are composited over before the alpha channel is dropped; white by default, as image viewers
    /// and web pages show them. Choose <see cref="ImageBackground.Black"/> for light-on-dark images such as MNIST's.
    /// </summary>
    public ImageBackground AlphaBackground { get; init; } = ImageBackground.White;

    /// <summary>The colour <see cref="ResizeMode.PadToFit"/> fills around the image with; black (0) by default, as torchvision's <c>Pad</c>.</summary>
    public ImageBackground Padding { get; init; } = ImageBackground.Black;

    /// <summary>
    /// The largest image, in pixels (width × height), that is decoded; a larger one is reported as a bad file before any
    /// decoding, so a hostile header cannot make a worker allocate gigabytes. 64 megapixels (256 MB decoded) by default.
    /// </summary>
    public long MaxPixels { get; init; } = 64_000_000;

    /// <summary>
    /// Whether unreadable, truncated, oversized or non-image files and empty class folders are left out and listed in
    /// <see cref="ImageFolder.Skipped"/> instead of failing <see cref="ImageFolder.Open"/>; false by default.
    /// </summary>
    public bool SkipBadFiles { get; init; }

    /// <summary>
    /// Whether every image is decoded and converted once, at <see cref="ImageFolder.Open"/>, into a cache file that every
    /// epoch then reads (memory-mapped) instead of decoding again; on by default. The file takes C × H × W bytes per image;
    /// reading it was 4 to 14 times as fast as decoding (docs/reference.md, "Image folders"). Turn it off for a folder
    /// whose converted images do not fit on the cache's disk, or that is read once.
    /// </summary>
    public bool Cache { get; init; } = true;

    /// <summary>
    /// Where cache files go; a folder <c>autoencoderdsl-image-cache</c> under <see cref="System.IO.Path.GetTempPath"/> when
    /// null. Each folder and conversion keeps one file there: a new one replaces those its files' changes made stale.
    /// </summary>
    public string? CacheFolder { get; init; }
}
