using KpLab.Abstractions;

namespace KpLab.Data.Tests;

public sealed class NpyFileTests : IDisposable
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static readonly float[,] Expected =
    {
        { -0.5f, -0.375f, -0.25f, -0.125f },
        { 0f, 0.125f, 0.25f, 0.375f },
        { 0.5f, 0.625f, 0.75f, 0.875f },
    };

    [Fact]
    public void Reads_float64_c_order_numpy_file()
    {
        var m = NpyFile.Load(Fixture("c_f8.npy"));
        AssertExpected(m);
    }

    [Fact]
    public void Converts_fortran_order_to_row_major()
    {
        var m = NpyFile.Load(Fixture("fortran_f4.npy"));
        AssertExpected(m);
    }

    [Fact]
    public void Reads_a_vector_as_one_column()
    {
        var m = NpyFile.Load(Fixture("vector_f4.npy"));
        Assert.Equal((3, 1), (m.Rows, m.Columns));
        Assert.Equal([1.5f, -2f, 0.25f], m.ToArray());
    }

    [Fact]
    public void Refuses_integer_dtype_naming_file_and_dtype()
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(Fixture("int_i8.npy")));
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
            var e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(path));
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
            NpyFile.Save(path, m);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0, (bytes[8] | bytes[9] << 8) + 10 & 63); // data starts on a 64-byte boundary
            var back = NpyFile.Load(path);
            Assert.Equal(m.ToArray(), back.ToArray());
            Assert.Equal(1, back.FirstNonFiniteRow());
        }
        finally { File.Delete(path); }
    }

    [Theory]
    // numpy writes exactly this kind of header; each case breaks one thing in it.
    [InlineData("(4611686018427387909, 4)", 20, "overflows")]            // (2**62 + 5) x 4 wraps to 5 x 4 unchecked
    [InlineData("(1099511627776, 1099511627776)", 20, "overflows")]      // 2**40 x 2**40
    [InlineData("(100000, 100000)", 20, "too large")]
    [InlineData("(18446744073709551616, 1)", 20, "does not fit in 64 bits")]
    [InlineData("(-5, 8)", 20, "negative dimension -5")]
    [InlineData("(3, 'a')", 20, "the entry 'a', which is not a non-negative integer")]
    [InlineData("(2.5, 2)", 20, "the entry 2.5, which is not a non-negative integer")]
    [InlineData("(2, 3, 4)", 24, "3 dimensions")]
    [InlineData("(3, 4)", 11, "the data is 44 bytes, but shape (3, 4) of '<f4' needs 48")]
    [InlineData("(3, 4)", 13, "the data is 52 bytes, but shape (3, 4) of '<f4' needs 48")]
    [InlineData("(3, 4", 12, "the shape tuple is never closed")]
    public void Malformed_shape_is_refused_naming_file_and_fault(string shape, int floats, string fault)
    {
        var path = WriteNpy($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", floats);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(fault, e.Message);
    }

    [Theory]
    [InlineData("{'fortran_order': False, 'shape': (3, 4), }", "lacks 'descr'")]
    [InlineData("{'descr': '<f4', 'shape': (3, 4), }", "lacks 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3, 4), }", "True or False expected")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': 1}", "unknown key 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}", "names 'descr' twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)} junk", "text after the closing '}'")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 4), }", "dtype '>f4' is not supported")]
    public void Malformed_header_dictionary_is_refused_naming_file_and_fault(string header, string fault)
    {
        var path = WriteNpy(header, 12);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(fault, e.Message);
    }

    [Fact]
    public void Cut_header_is_refused_naming_file_and_lengths()
    {
        var full = File.ReadAllBytes(WriteNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 12));
        var path = Temp();
        File.WriteAllBytes(path, full[..40]);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(path));
        Assert.Equal($"{path}: the header is cut: the file ends after 30 of its {full[8] | full[9] << 8} header bytes.", e.Message);

        File.WriteAllBytes(path, full[..9]);
        e = Assert.Throws<InvalidDataException>(() => NpyFile.Load(path));
        Assert.Equal($"{path}: the file ends inside the header-length field.", e.Message);
    }

    [Fact]
    public void Cut_data_from_an_unseekable_stream_is_refused_naming_the_source()
    {
        var bytes = File.ReadAllBytes(WriteNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", 12));
        using var stream = new UnseekableStream(bytes); // 12 floats = 6 of the 12 doubles the shape needs
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(stream, "pipe"));
        Assert.Equal("pipe: the data is cut: 48 of 96 bytes for shape (3, 4).", e.Message);
    }

    [Fact]
    public void Python2_long_suffix_and_one_element_tuple_are_read()
    {
        var path = WriteNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }", 3);
        var m = NpyFile.Load(path);
        Assert.Equal((3, 1), (m.Rows, m.Columns));
        Assert.Equal([0f, 1f, 2f], m.ToArray());
    }

    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    private string Temp()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kplab-npy-{Guid.NewGuid():N}.npy");
        _files.Add(path);
        return path;
    }

    /// <summary>A version 1.0 .npy file with <paramref name="header"/> and the float32 values 0, 1, 2, ...</summary>
    private string WriteNpy(string header, int floats)
    {
        var text = header + new string(' ', 63 - (10 + header.Length) % 64) + "\n";
        using var bytes = new MemoryStream();
        bytes.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)text.Length, (byte)(text.Length >> 8)]);
        bytes.Write(System.Text.Encoding.Latin1.GetBytes(text));
        for (int i = 0; i < floats; i++) bytes.Write(BitConverter.GetBytes((float)i));
        var path = Temp();
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }

    private static void AssertExpected(EmbeddingMatrix m)
    {
        Assert.Equal((3, 4), (m.Rows, m.Columns));
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(Expected[r, c], m[r, c]);
    }
}
