using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KpLab.Kernels;

/// <summary>
/// Float64 counterparts of <see cref="VectorMath"/>'s accumulation primitives, for algorithms whose accuracy needs
/// double precision (e.g. the subspace iterations of a truncated SVD). They use <see cref="Vector{T}"/> (the widest
/// SIMD the runtime enables) with a scalar tail; the accumulation order is fixed for a given length and machine.
/// </summary>
public static class DoubleVectorMath
{
    /// <summary>The dot product x·y.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RequireSameLength(x.Length, y.Length);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, w = Vector<double>.Count;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * w)
        {
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref px, (nuint)i), Vector.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref px, (nuint)(i + w)), Vector.LoadUnsafe(ref py, (nuint)(i + w)), acc1);
            }
            sum = Vector.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), sum);
        return sum;
    }

    /// <summary>y ← a·x + y.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        RequireSameLength(x.Length, y.Length);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, w = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(a);
            for (; i <= n - w; i += w)
                Vector.FusedMultiplyAdd(va, Vector.LoadUnsafe(ref px, (nuint)i), Vector.LoadUnsafe(ref py, (nuint)i))
                    .StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) = Math.FusedMultiplyAdd(a, Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    /// <summary>x ← a·x.</summary>
    public static void Scale(double a, Span<double> x)
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0, w = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(a);
            for (; i <= n - w; i += w) (va * Vector.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref px, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref px, i) *= a;
    }

    /// <summary>
    /// The dot product of a sparse vector (<paramref name="indices"/>, <paramref name="values"/>) with a dense one:
    /// Σ values[k]·dense[indices[k]], accumulated in index order.
    /// </summary>
    /// <exception cref="ArgumentException">The index and value spans differ in length.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside the dense vector.</exception>
    public static double SparseDot(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, ReadOnlySpan<double> dense)
    {
        RequireSameLength(indices.Length, values.Length);
        double sum = 0;
        for (int k = 0; k < indices.Length; k++) sum = Math.FusedMultiplyAdd(values[k], dense[indices[k]], sum);
        return sum;
    }

    /// <summary>The Euclidean norm |x|.</summary>
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));

    private static void RequireSameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"Lengths differ: {a} and {b}.");
    }
}
