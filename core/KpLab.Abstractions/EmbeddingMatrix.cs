using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KpLab.Kernels;

namespace KpLab.Abstractions;

/// <summary>Fills a new matrix's row-major values (length rows × columns) once, at construction.</summary>
/// <param name="values">The matrix's storage, zero-initialised.</param>
public delegate void MatrixFill(Span<float> values);

/// <summary>
/// An immutable n × d float32 matrix, row-major and contiguous, whose first element is 64-byte aligned (one cache
/// line, one AVX-512 register) so kernels can stream it. Rows are embeddings of texts; columns are dimensions.
/// (Files: <c>KpLab.Data.NpyFile</c> reads and writes it as NumPy <c>.npy</c>.)
/// </summary>
public sealed class EmbeddingMatrix
{
    private const int AlignmentBytes = 64;
    private const int AlignmentFloats = AlignmentBytes / sizeof(float);

    private readonly float[] _buffer;
    private readonly int _offset;

    private EmbeddingMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, nameof(rows));
        ArgumentOutOfRangeException.ThrowIfNegative(columns, nameof(columns));
        long length = (long)rows * columns;
        if (length > Array.MaxLength - AlignmentFloats)
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows} x {columns} matrix is too large for one buffer.");
        Rows = rows;
        Columns = columns;
        // Pinned (on the pinned object heap) so the aligned offset stays valid for the buffer's lifetime.
        _buffer = GC.AllocateArray<float>((int)length + AlignmentFloats, pinned: true);
        _offset = AlignedOffset(_buffer);
    }

    /// <summary>Number of rows (n): one per text.</summary>
    public int Rows { get; }

    /// <summary>Number of columns (d): the embedding dimension.</summary>
    public int Columns { get; }

    /// <summary>All values, row-major: row i is <c>[i · Columns, (i + 1) · Columns)</c>.</summary>
    public ReadOnlySpan<float> Values => _buffer.AsSpan(_offset, Rows * Columns);

    /// <summary>All values as memory (for code that must hold them across an await or a lambda).</summary>
    public ReadOnlyMemory<float> Memory => _buffer.AsMemory(_offset, Rows * Columns);

    /// <summary>Row <paramref name="index"/> as a span of length <see cref="Columns"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, Rows).</exception>
    public ReadOnlySpan<float> Row(int index)
    {
        if ((uint)index >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Row index must be in [0, {Rows}).");
        return _buffer.AsSpan(_offset + index * Columns, Columns);
    }

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public float this[int row, int column] => Row(row)[column];

    /// <summary>Creates a matrix and lets <paramref name="fill"/> write its values once.</summary>
    /// <param name="rows">n, at least 0.</param>
    /// <param name="columns">d, at least 0.</param>
    /// <param name="fill">Writes the row-major values into the zero-initialised storage.</param>
    public static EmbeddingMatrix Create(int rows, int columns, MatrixFill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var matrix = new EmbeddingMatrix(rows, columns);
        fill(matrix.Writable);
        return matrix;
    }

    /// <summary>Creates a matrix holding a copy of <paramref name="values"/> (row-major, length rows × columns).</summary>
    /// <exception cref="ArgumentException">The length is not rows × columns.</exception>
    public static EmbeddingMatrix FromValues(int rows, int columns, ReadOnlySpan<float> values)
    {
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values cannot form a {rows} x {columns} matrix.", nameof(values));
        var matrix = new EmbeddingMatrix(rows, columns);
        values.CopyTo(matrix.Writable);
        return matrix;
    }

    /// <summary>Creates a matrix from equal-length rows.</summary>
    /// <exception cref="ArgumentException">The rows differ in length (the first offending row is named).</exception>
    public static EmbeddingMatrix FromRows(IReadOnlyList<float[]> rows, int columns = -1)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (columns < 0) columns = rows.Count > 0 ? rows[0].Length : 0;
        for (int i = 0; i < rows.Count; i++)
            if (rows[i] is null || rows[i].Length != columns)
                throw new ArgumentException($"Row {i} has length {rows[i]?.Length.ToString() ?? "null"}, expected {columns}.", nameof(rows));
        return Create(rows.Count, columns, span =>
        {
            for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(span.Slice(i * columns, columns));
        });
    }

    /// <summary>Creates a matrix from double-precision rows (rounded to float32).</summary>
    public static EmbeddingMatrix FromRows(IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = rows.Count > 0 ? rows[0].Length : 0;
        return FromRows(rows.Select(r => r is null ? null! : Array.ConvertAll(r, v => (float)v)).ToArray(), columns);
    }

    /// <summary>A new matrix whose rows are scaled to unit length; zero rows stay zero.</summary>
    public EmbeddingMatrix NormalizeRows() => Create(Rows, Columns, span =>
    {
        Values.CopyTo(span);
        if (Columns > 0) MatrixRows.NormalizeRows(span, Columns);
    });

    /// <summary>A new matrix made of the given rows, in the given order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Rows).</exception>
    public EmbeddingMatrix SelectRows(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Create(indices.Count, Columns, span =>
        {
            for (int r = 0; r < indices.Count; r++) Row(indices[r]).CopyTo(span.Slice(r * Columns, Columns));
        });
    }

    /// <summary>The index of the first row that holds NaN or an infinity, or -1 when all values are finite.</summary>
    public int FirstNonFiniteRow() => Columns == 0 ? -1 : MatrixRows.FirstNonFiniteRow(Values, Columns);

    /// <summary>
    /// Throws when any value is NaN or infinite, naming the row and <paramref name="context"/> (e.g. the plugin).
    /// </summary>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public void ThrowIfNonFinite(string context)
    {
        int row = FirstNonFiniteRow();
        if (row >= 0)
            throw new ArgumentException($"{context}: row {row} of the {Rows} x {Columns} embedding matrix holds NaN or an infinite value.");
    }

    /// <summary>
    /// Throws unless the matrix has at least one row and one column and only finite values: what every clusterer
    /// needs. Messages start with <paramref name="context"/> (e.g. the plugin) and name the offending row.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, no columns, or a NaN or infinite value.</exception>
    public void ThrowIfEmptyOrNonFinite(string context)
    {
        if (Rows == 0) throw new ArgumentException($"{context}: the embedding matrix has no rows.");
        if (Columns == 0) throw new ArgumentException($"{context}: the embedding matrix has {Rows} rows but no columns (d = 0).");
        ThrowIfNonFinite(context);
    }

    /// <summary>A copy of all values, row-major.</summary>
    public float[] ToArray() => Values.ToArray();

    /// <inheritdoc />
    public override string ToString() => $"EmbeddingMatrix {Rows} x {Columns}";

    /// <summary>Writable view for the factory methods; never exposed once the matrix is handed out.</summary>
    internal Span<float> Writable => _buffer.AsSpan(_offset, Rows * Columns);

    private static unsafe int AlignedOffset(float[] pinnedBuffer)
    {
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinnedBuffer));
        var misalignment = (int)(address % AlignmentBytes);
        return misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
    }
}
