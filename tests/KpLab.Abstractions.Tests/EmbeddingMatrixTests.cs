using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class EmbeddingMatrixTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static readonly float[,] Expected =
    {
        { -0.5f, -0.375f, -0.25f, -0.125f },
        { 0f, 0.125f, 0.25f, 0.375f },
        { 0.5f, 0.625f, 0.75f, 0.875f },
    };

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(33, 769)]
    public unsafe void Storage_is_64_byte_aligned_and_row_major(int rows, int columns)
    {
        var m = EmbeddingMatrix.Create(rows, columns, s => { for (int i = 0; i < s.Length; i++) s[i] = i; });
        Assert.Equal((rows, columns), (m.Rows, m.Columns));
        if (m.Values.Length == 0) return;
        fixed (float* p = m.Values) Assert.Equal(0L, (long)p % 64);
        for (int r = 0; r < rows; r++) Assert.Equal((float)(r * columns), m.Row(r)[0]);
    }

    [Fact]
    public void Reads_float64_c_order_numpy_file()
    {
        var m = EmbeddingMatrix.LoadNpy(Fixture("c_f8.npy"));
        AssertExpected(m);
    }

    [Fact]
    public void Converts_fortran_order_to_row_major()
    {
        var m = EmbeddingMatrix.LoadNpy(Fixture("fortran_f4.npy"));
        AssertExpected(m);
    }

    [Fact]
    public void Reads_a_vector_as_one_column()
    {
        var m = EmbeddingMatrix.LoadNpy(Fixture("vector_f4.npy"));
        Assert.Equal((3, 1), (m.Rows, m.Columns));
        Assert.Equal([1.5f, -2f, 0.25f], m.ToArray());
    }

    [Fact]
    public void Refuses_integer_dtype_naming_file_and_dtype()
    {
        var e = Assert.Throws<InvalidDataException>(() => EmbeddingMatrix.LoadNpy(Fixture("int_i8.npy")));
        Assert.Contains("int_i8.npy", e.Message);
        Assert.Contains("<i8", e.Message);
    }

    [Fact]
    public void Refuses_a_file_that_is_not_npy()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kplab-not-npy-{Guid.NewGuid():N}.npy");
        File.WriteAllText(path, "hello");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => EmbeddingMatrix.LoadNpy(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Round_trips_through_npy_and_writes_numpy_header()
    {
        var m = EmbeddingMatrix.FromValues(2, 3, [1f, 2f, 3f, 4f, 5f, float.NaN]);
        var path = Path.Combine(Path.GetTempPath(), $"kplab-{Guid.NewGuid():N}.npy");
        try
        {
            m.SaveNpy(path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0, (bytes[8] | bytes[9] << 8) + 10 & 63); // data starts on a 64-byte boundary
            var back = EmbeddingMatrix.LoadNpy(path);
            Assert.Equal(m.ToArray(), back.ToArray());
            Assert.Equal(1, back.FirstNonFiniteRow());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NormalizeRows_leaves_zero_rows_zero()
    {
        var m = EmbeddingMatrix.FromValues(2, 2, [3f, 4f, 0f, 0f]).NormalizeRows();
        Assert.Equal([0.6f, 0.8f, 0f, 0f], m.ToArray());
    }

    [Fact]
    public void ThrowIfNonFinite_names_the_row()
    {
        var m = EmbeddingMatrix.FromValues(3, 1, [0f, 1f, float.PositiveInfinity]);
        var e = Assert.Throws<ArgumentException>(() => m.ThrowIfNonFinite("kmeans"));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("kmeans", e.Message);
    }

    private static void AssertExpected(EmbeddingMatrix m)
    {
        Assert.Equal((3, 4), (m.Rows, m.Columns));
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(Expected[r, c], m[r, c]);
    }
}
