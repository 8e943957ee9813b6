using System.Text.Json;

namespace KpLab.Plugins.Glove.Tests;

public sealed class StoreAndTokenizerTests
{
    [Fact]
    public void ConversionRoundTripsEveryWordAndVector()
    {
        using var model = new TinyModel();
        var embedder = model.Embedder();
        var store = embedder.Store;
        Assert.True(File.Exists(embedder.BinaryPath));
        Assert.StartsWith(Path.Combine(model.Cache, "glove", "tiny-wink."), embedder.BinaryPath);
        using var json = JsonDocument.Parse(File.ReadAllText(TinyModel.JsonPath));
        var words = json.RootElement.GetProperty("words").EnumerateArray().Select(w => w.GetString()!).ToArray();
        Assert.Equal((words.Length, 8), (store.Count, store.Dimension));
        for (int i = 0; i < words.Length; i++)
        {
            Assert.Equal(words[i], store.Word(i));
            Assert.Equal(i, store.IndexOf(words[i]));
            var expected = json.RootElement.GetProperty("vectors").GetProperty(words[i]).EnumerateArray().Take(8).Select(v => v.GetSingle()).ToArray();
            Assert.Equal(expected, store.Vector(i).ToArray());
        }
        Assert.Equal(-1, store.IndexOf("photosynthesis"));
        Assert.Equal(-1, store.IndexOf(""));
        Assert.Equal(64, store.SourceSha256.Length);
    }

    [Fact]
    public void DamagedBinaryIsRejected()
    {
        using var model = new TinyModel();
        var path = model.Embedder().BinaryPath;
        _ = model.Embedder().Store;
        var bytes = File.ReadAllBytes(path);
        var truncated = path + ".truncated";
        File.WriteAllBytes(truncated, bytes[..^4]);
        Assert.Throws<InvalidDataException>(() => WordVectorStore.Read(truncated));
        var wrongVersion = path + ".v9";
        var copy = (byte[])bytes.Clone();
        copy[8] = 9;
        File.WriteAllBytes(wrongVersion, copy);
        Assert.Contains("version", Assert.Throws<InvalidDataException>(() => WordVectorStore.Read(wrongVersion)).Message);
    }

    [Fact]
    public void MalformedJsonIsRejected()
    {
        using var model = new TinyModel();
        var json = Path.Combine(model.Cache, "bad.json");
        Directory.CreateDirectory(model.Cache);
        File.WriteAllText(json, """{"dimensions":2,"l2NormIndex":2,"wordIndex":3,"size":1,"words":["x"],"vectors":{"x":[1,2,3]}}""");
        var ex = Assert.Throws<InvalidDataException>(() => WinkJsonConverter.Convert(json, json + ".bin"));
        Assert.Contains("'x' has 3 numbers", ex.Message);
    }

    [Theory]
    [InlineData("Don't stop", "do not stop")]
    [InlineData("I CAN'T, won't; isn't", "i can not will not is not")]
    [InlineData("we're they'll I've I'm she'd", "we are they will i have i am she would")]
    [InlineData("the students' plant's leaves", "the students plant leaves")]
    [InlineData("a well-known, non-existent thing", "a well-known non existent thing")]
    [InlineData("Café NAÏVE façade Straße œuvre", "cafe naive facade strasse oeuvre")]
    [InlineData("it’s rock'n'roll at 5 o'clock", "it rock n roll at 5 o clock")]
    [InlineData("e\u0301nergy 😀light\uD800heat -x- 4.56", "energy light heat x 4 56")]
    [InlineData(null, "")]
    [InlineData("   ", "")]
    public void TokenizesForTheWinkVocabulary(string? text, string expected)
    {
        var vocabulary = new HashSet<string> { "well-known" };
        var tokens = new GloveTokenizer(vocabulary.Contains).Tokenize(text);
        Assert.Equal(expected, string.Join(' ', tokens));
    }
}
