using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class ContentHashTests
{
    // SHA-256 test vectors of FIPS 180-2 (appendix B.1) and of the empty input, as `sha256sum` prints them.
    private const string Abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Text_bytes_stream_and_file_give_the_standard_lower_case_digest()
    {
        Assert.Equal(Abc, ContentHash.OfText("abc"));
        Assert.Equal(Abc, ContentHash.OfBytes("abc"u8));
        Assert.Equal(Empty, ContentHash.OfText(""));
        using (var stream = new MemoryStream("xxabc"u8.ToArray()) { Position = 2 })
            Assert.Equal(Abc, ContentHash.OfStream(stream)); // what remains of the stream
        var path = Path.Combine(Path.GetTempPath(), $"kplab-hash-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, "abc");
            Assert.Equal(Abc, ContentHash.OfFile(path));
            // Several files: name, line feed, bytes; equal to hashing that concatenation.
            Assert.Equal(ContentHash.OfText(Path.GetFileName(path) + "\nabc" + Path.GetFileName(path) + "\nabc"),
                ContentHash.OfFiles([path, path]));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Fields_are_separated_so_that_moving_a_boundary_changes_the_hash()
    {
        Assert.Equal(ContentHash.OfText("ab\u001fc\u001f"), ContentHash.OfFields(["ab", "c"]));
        Assert.NotEqual(ContentHash.OfFields(["ab", "c"]), ContentHash.OfFields(["a", "bc"]));
        Assert.Equal(ContentHash.OfText("\0\u001f"), ContentHash.OfFields([null]));
    }
}
