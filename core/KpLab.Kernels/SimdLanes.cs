using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The operations of one vector width on lanes of <typeparamref name="T"/>, so that a kernel is written once as a
/// generic method over a width type (<see cref="Lanes128{T}"/>, <see cref="Lanes256{T}"/>, <see cref="Lanes512{T}"/>) and runs
/// at every width. The width types are structs, so the JIT compiles a separate copy of the kernel for each of them in
/// which every member below is a direct, inlined hardware instruction: the generic kernel is as fast as one written
/// out by hand for that width, and computes the same operations in the same order.
/// </summary>
/// <typeparam name="TVector">The vector type (<see cref="Vector256{T}"/> of <typeparamref name="T"/> and so on).</typeparam>
/// <typeparam name="T">The lane type: <see cref="float"/> or <see cref="double"/>.</typeparam>
internal unsafe interface ILanes<TVector, T>
    where TVector : struct
    where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Lane i holds i (0, 1, 2, …).</summary>
    static abstract TVector Indices { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(T value);

    /// <summary>Loads <see cref="Count"/> values from <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TVector Load(ref T source, nuint offset);

    /// <summary>Loads <see cref="Count"/> values from <paramref name="source"/>.</summary>
    static abstract TVector Load(T* source);

    /// <summary>Stores the lanes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TVector value, ref T destination, nuint offset);

    /// <summary>Stores the lanes at <paramref name="destination"/>.</summary>
    static abstract void Store(TVector value, T* destination);

    /// <summary>a·b + c per lane with one rounding.</summary>
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>a + b per lane.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>a − b per lane.</summary>
    static abstract TVector Subtract(TVector a, TVector b);

    /// <summary>a · b per lane.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>The larger lane (NaN propagates, as <see cref="MathF.Max(float, float)"/>).</summary>
    static abstract TVector Max(TVector a, TVector b);

    /// <summary>All-ones lanes where a &lt; b.</summary>
    static abstract TVector LessThan(TVector a, TVector b);

    /// <summary>Lanes of <paramref name="whereTrue"/> where <paramref name="mask"/> is set, else of <paramref name="whereFalse"/>.</summary>
    static abstract TVector Select(TVector mask, TVector whereTrue, TVector whereFalse);

    /// <summary>The sum of the lanes (the width's own reduction order).</summary>
    static abstract T Sum(TVector value);

    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract T Lane(TVector value, int index);

    /// <summary>
    /// Double lanes only: loads 2 · <see cref="Count"/> floats from <paramref name="source"/> + <paramref name="offset"/>,
    /// widened exactly, as two vectors.
    /// </summary>
    static abstract (TVector Lower, TVector Upper) LoadWidened(ref float source, nuint offset);
}

/// <summary>128-bit lanes: ARM64 AdvSimd (SSE on x86, where it only runs when a test forces it).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct Lanes128<T> : ILanes<Vector128<T>, T>
    where T : unmanaged
{
    public static int Count => Vector128<T>.Count;
    public static Vector128<T> Zero => Vector128<T>.Zero;
    public static Vector128<T> Indices => Vector128<T>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Broadcast(T value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(ref T source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(T* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> value, T* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Subtract(Vector128<T> a, Vector128<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> LessThan(Vector128<T> a, Vector128<T> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Select(Vector128<T> mask, Vector128<T> whereTrue, Vector128<T> whereFalse) => Vector128.ConditionalSelect(mask, whereTrue, whereFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector128<T> value) => Vector128.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Lane(Vector128<T> value, int index) => value.GetElement(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FusedMultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) => typeof(T) == typeof(float)
        ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector128<T> Lower, Vector128<T> Upper) LoadWidened(ref float source, nuint offset)
    {
        if (typeof(T) != typeof(double)) throw new NotSupportedException("Only double lanes are filled by widening floats.");
        var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref source, offset));
        return (lower.As<double, T>(), upper.As<double, T>());
    }
}

/// <summary>256-bit lanes: AVX2-class hardware.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct Lanes256<T> : ILanes<Vector256<T>, T>
    where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;
    public static Vector256<T> Indices => Vector256<T>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Broadcast(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> value, T* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Subtract(Vector256<T> a, Vector256<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Max(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> LessThan(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Select(Vector256<T> mask, Vector256<T> whereTrue, Vector256<T> whereFalse) => Vector256.ConditionalSelect(mask, whereTrue, whereFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector256<T> value) => Vector256.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Lane(Vector256<T> value, int index) => value.GetElement(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FusedMultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) => typeof(T) == typeof(float)
        ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<T> Lower, Vector256<T> Upper) LoadWidened(ref float source, nuint offset)
    {
        if (typeof(T) != typeof(double)) throw new NotSupportedException("Only double lanes are filled by widening floats.");
        var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref source, offset));
        return (lower.As<double, T>(), upper.As<double, T>());
    }
}

/// <summary>512-bit lanes: AVX-512-class hardware.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct Lanes512<T> : ILanes<Vector512<T>, T>
    where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;
    public static Vector512<T> Indices => Vector512<T>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Broadcast(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> value, T* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> LessThan(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Select(Vector512<T> mask, Vector512<T> whereTrue, Vector512<T> whereFalse) => Vector512.ConditionalSelect(mask, whereTrue, whereFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector512<T> value) => Vector512.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Lane(Vector512<T> value, int index) => value.GetElement(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FusedMultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) => typeof(T) == typeof(float)
        ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<T> Lower, Vector512<T> Upper) LoadWidened(ref float source, nuint offset)
    {
        if (typeof(T) != typeof(double)) throw new NotSupportedException("Only double lanes are filled by widening floats.");
        var (lower, upper) = Vector512.Widen(Vector512.LoadUnsafe(ref source, offset));
        return (lower.As<double, T>(), upper.As<double, T>());
    }
}
