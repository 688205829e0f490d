namespace AutoencoderApp;

/// <summary>
/// The shape of one image, chosen when the project was created: channels (1 grey, 3 colour), height and width in
/// pixels. The model's declaration is written in these constants, so changing them here changes every layer that
/// depends on them, and the compiler checks the result.
/// </summary>
internal static class ImageShape
{
    public const int Channels = 1;
    public const int Height = 28;
    public const int Width = 28;

    /// <summary>The numbers in one image: the width of the decoder's last dense layer.</summary>
    public const int Values = Channels * Height * Width;
}
