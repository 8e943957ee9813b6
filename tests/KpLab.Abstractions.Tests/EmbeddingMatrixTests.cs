using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class EmbeddingMatrixTests
{
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
}
