using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KpLab.Kernels;

namespace KpLab.Plugins.UseLite;

/// <summary>
/// Row-wise operations of neural network layers on row-major float32 matrices: bias addition, activations, softmax
/// and layer normalisation. They complete the kernel's <see cref="PackedMatrixProduct"/> for USE-Lite's transformer
/// encoder; they live here, not in the shared kernel, because no other plugin runs network layers.
/// </summary>
internal static class LayerMath
{
    /// <summary>Adds <paramref name="bias"/> to every row of <paramref name="rows"/> (row length = bias length).</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="rows"/> is not a multiple of the bias length.</exception>
    public static void AddBias(Span<float> rows, ReadOnlySpan<float> bias)
    {
        int columns = bias.Length;
        if (columns == 0 || rows.Length % columns != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {columns}.", nameof(rows));
        for (int start = 0; start < rows.Length; start += columns)
            VectorMath.Add(bias, rows.Slice(start, columns));
    }

    /// <summary>x ← max(x, 0), element-wise.</summary>
    public static void Relu(Span<float> x)
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                Vector256.Max(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256<float>.Zero).StoreUnsafe(ref px, (nuint)i);
        for (; i < n; i++)
            x[i] = MathF.Max(x[i], 0f);
    }

    /// <summary>x ← tanh(x), element-wise.</summary>
    public static void Tanh(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Tanh(x[i]);
    }

    /// <summary>x ← softmax(x) = exp(x - max x) / Σ exp(x - max x), in place. An empty span is left as it is.</summary>
    public static void Softmax(Span<float> x)
    {
        if (x.Length == 0) return;
        float max = float.NegativeInfinity;
        foreach (var v in x) max = MathF.Max(max, v);
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }
        VectorMath.Scale(1f / sum, x);
    }

    /// <summary>
    /// Layer normalisation of each row: y = scale · (x - mean) / sqrt(variance + epsilon) + bias, with the mean and the
    /// (biased) variance taken over the row, computed as TensorFlow's layer_norm graph does: (scale · rsqrt) · (x - mean).
    /// </summary>
    /// <param name="x">Input rows, row-major, row length = scale length.</param>
    /// <param name="y">Output rows (may be <paramref name="x"/> itself).</param>
    /// <param name="scale">Per-column gain.</param>
    /// <param name="bias">Per-column offset.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentException">Shapes do not match.</exception>
    public static void LayerNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon)
    {
        int columns = scale.Length;
        if (columns == 0 || bias.Length != columns || x.Length % columns != 0 || y.Length < x.Length)
            throw new ArgumentException($"Layer norm over rows of {columns}: x has {x.Length} values, y {y.Length}, bias {bias.Length}.");
        Span<float> centred = columns <= 2048 ? stackalloc float[columns] : new float[columns];
        for (int start = 0; start < x.Length; start += columns)
        {
            var row = x.Slice(start, columns);
            float mean = VectorMath.Sum(row) / columns;
            for (int j = 0; j < columns; j++) centred[j] = row[j] - mean;
            float variance = VectorMath.Dot(centred, centred) / columns;
            float inverse = 1f / MathF.Sqrt(variance + epsilon);
            var output = y.Slice(start, columns);
            for (int j = 0; j < columns; j++)
                output[j] = scale[j] * inverse * centred[j] + bias[j];
        }
    }
}
