using System.Runtime.InteropServices;

namespace KpLab.Kernels;

/// <summary>
/// The full n × n matrix of exact double distances between rows (<see cref="ExactDistances"/>, bit for bit the values
/// of <see cref="ExactDistances.Condensed"/>), stored row-major in native memory so that every row, and so every
/// nearest-neighbour scan, is contiguous: 8·n² bytes (3.2 GB at n = 20,000, twice the condensed form). Algorithms that
/// update it in place (the nearest-neighbour chain) own it and must dispose it.
/// </summary>
public sealed unsafe class SymmetricDistanceMatrix : IDisposable
{
    private const int MadviseHugePage = 14;
    private double* _values;

    private SymmetricDistanceMatrix(int size)
    {
        Size = size;
        nuint bytes = (nuint)size * (nuint)size * sizeof(double);
        _values = (double*)NativeMemory.AlignedAlloc(Math.Max(bytes, 1), 4096);
        // Rows are 8n bytes apart, so column writes touch one page per row: huge pages keep them off the TLB's back.
        if (OperatingSystem.IsLinux() && bytes >= 1 << 21)
        {
            try { _ = Madvise((nint)_values, bytes, MadviseHugePage); }
            catch (DllNotFoundException) { }
            catch (EntryPointNotFoundException) { }
        }
        if (size > 0) GC.AddMemoryPressure((long)bytes);
    }

    /// <summary>The number of rows (and columns).</summary>
    public int Size { get; }

    /// <summary>Row <paramref name="i"/>: the distances from row i to every row, writable.</summary>
    public Span<double> Row(int i)
    {
        ObjectDisposedException.ThrowIf(_values == null, this);
        if ((uint)i >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(i), i, $"Row index must be below {Size}.");
        return new Span<double>(_values + (long)i * Size, Size);
    }

    /// <summary>The entry in row <paramref name="i"/>, column <paramref name="j"/>, writable (no bounds checks).</summary>
    public ref double this[int i, int j] => ref _values[(long)i * Size + j];

    /// <summary>
    /// Computes the matrix. The upper triangle is computed in 64 × 64 blocks (both in L2) in parallel under
    /// <see cref="KernelParallelism"/> and mirrored; each value is computed by one thread in a fixed order, so the
    /// matrix does not depend on the thread count. The diagonal is 0.
    /// </summary>
    /// <param name="data">Row-major rows, n × <paramref name="depth"/>.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="measure">Euclidean, SquaredEuclidean or CosineDistance (cosine needs non-zero rows).</param>
    /// <param name="cancellationToken">Stops the computation between blocks.</param>
    /// <exception cref="ArgumentException">The measure is unsupported.</exception>
    /// <exception cref="OutOfMemoryException">8·n² bytes are not available.</exception>
    public static SymmetricDistanceMatrix Compute(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure,
        CancellationToken cancellationToken = default)
    {
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"Exact distances support Euclidean, SquaredEuclidean and CosineDistance, not {measure}.", nameof(measure));
        int n = MatrixRows.RowCount(data.Length, depth);
        var matrix = new SymmetricDistanceMatrix(n);
        try
        {
            var norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data, depth) : null;
            const int block = 64;
            int bands = (n + block - 1) / block;
            double* values = matrix._values;
            fixed (float* p = data)
            {
                nint basePtr = (nint)p;
                var options = KernelParallelism.Options();
                options.CancellationToken = cancellationToken;
                Parallel.For(0, bands, options, band =>
                {
                    var all = new ReadOnlySpan<float>((void*)basePtr, n * depth);
                    int i0 = band * block, i1 = Math.Min(n, i0 + block);
                    for (int j0 = i0; j0 < n; j0 += block)
                    {
                        int j1 = Math.Min(n, j0 + block);
                        for (int i = i0; i < i1; i++)
                        {
                            var x = all.Slice(i * depth, depth);
                            double* row = values + (long)i * n;
                            if (j0 == i0) row[i] = 0;
                            for (int j = Math.Max(j0, i + 1); j < j1; j++)
                            {
                                var y = all.Slice(j * depth, depth);
                                double d = measure switch
                                {
                                    PairwiseMeasure.SquaredEuclidean => ExactDistances.SquaredEuclidean(x, y),
                                    PairwiseMeasure.Euclidean => Math.Sqrt(ExactDistances.SquaredEuclidean(x, y)),
                                    _ => ExactDistances.CosineDistance(ExactDistances.Dot(x, y), norms![i], norms[j]),
                                };
                                row[j] = d;
                                values[(long)j * n + i] = d;
                            }
                        }
                    }
                });
            }
            return matrix;
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }

    /// <summary>Frees the native memory.</summary>
    public void Dispose()
    {
        if (_values == null) return;
        NativeMemory.AlignedFree(_values);
        _values = null;
        if (Size > 0) GC.RemoveMemoryPressure((long)Size * Size * sizeof(double));
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native memory of a matrix nobody disposed.</summary>
    ~SymmetricDistanceMatrix() => Dispose();

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
