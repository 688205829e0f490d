using System;
using System.Buffers.Binary;
using System.Globalization;

namespace AutoencoderDsl.Training;

/// <summary>
/// Checks the bytes of libtorch's CPU generator state (what <c>torch.random.get_rng_state</c> gives) in managed code,
/// before <c>set_rng_state</c> sees them: libtorch answers a state it finds invalid by throwing a C++ exception that
/// TorchSharp does not catch, which aborts the process. The layout is libtorch 2.x's <c>CPUGeneratorImplState</c>
/// (aten/src/ATen/CPUGeneratorImpl.cpp) on a 64-bit platform: a legacy block of the initial seed (u64), <c>left</c>
/// (i32), <c>seeded</c> (i32), <c>next</c> (u64), 624 state words (each u64 holding a u32), the normal cache
/// (<c>normal_x</c>, <c>normal_y</c>, <c>normal_rho</c> as f64, <c>normal_is_valid</c> as i32), then a cached float
/// normal (f32) and its flag (a bool), padded to 5056 bytes.
/// </summary>
internal static class CpuRandomState
{
    /// <summary>The Mersenne twister's state words.</summary>
    private const int Words = 624;

    private const int Length = 5056;
    private const int LeftAt = 8;
    private const int SeededAt = 12;
    private const int NextAt = 16;
    private const int WordsAt = 24;
    private const int NormalYAt = WordsAt + (Words * sizeof(ulong)) + sizeof(double);
    private const int NormalValidAt = WordsAt + (Words * sizeof(ulong)) + (3 * sizeof(double));
    private const int FloatNormalAt = NormalValidAt + (2 * sizeof(int));
    private const int FloatNormalValidAt = FloatNormalAt + sizeof(float);

    /// <summary>
    /// Throws what <paramref name="invalid"/> makes of a description of the problem unless <paramref name="state"/> is a
    /// state libtorch accepts and reads within bounds: what libtorch checks (seeded, 1 ≤ left ≤ 624, next ≤ 624), and
    /// beyond it that the draws left in the block stay inside it (next + left ≤ 625), every word fits 32 bits, the
    /// words are not all zero (a generator that would give zeros for ever), and a cached normal sample is finite.
    /// </summary>
    public static void Require(ReadOnlySpan<byte> state, Func<string, Exception> invalid)
    {
        if (state.Length != Length)
        {
            throw invalid(string.Create(CultureInfo.InvariantCulture, $"holds {state.Length} bytes, not the {Length} of libtorch's CPU generator state"));
        }

        int left = BinaryPrimitives.ReadInt32LittleEndian(state[LeftAt..]);
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(state[SeededAt..]);
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(state[NextAt..]);
        if (seeded == 0 || left < 1 || left > Words || next > Words || (ulong)left + next > Words + 1)
        {
            throw invalid(string.Create(CultureInfo.InvariantCulture, $"is not a Mersenne twister state (seeded {seeded}, left {left}, next {next})"));
        }

        bool anyBit = false;
        for (int i = 0; i < Words; i++)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(state[(WordsAt + (i * sizeof(ulong)))..]);
            if (word > uint.MaxValue)
            {
                throw invalid(string.Create(CultureInfo.InvariantCulture, $"holds state word {i} = {word}, wider than 32 bits"));
            }

            anyBit |= word != 0;
        }

        if (!anyBit)
        {
            throw invalid("holds only zero state words");
        }

        bool doubleCached = BinaryPrimitives.ReadInt32LittleEndian(state[NormalValidAt..]) != 0;
        byte floatCached = state[FloatNormalValidAt];
        if ((doubleCached && !double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(state[NormalYAt..])))
            || floatCached > 1 || (floatCached == 1 && !float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(state[FloatNormalAt..]))))
        {
            throw invalid("holds a damaged cached normal sample");
        }
    }
}
