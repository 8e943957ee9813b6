using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Plugins.Glove;
using KpLab.Plugins.Tfidf;

namespace KpLab.Lexical.Benchmarks;

/// <summary>
/// TF-IDF and GloVe embedding of the SemEval-2013 answers (the same texts scripts/bench-lexical gives scikit-learn).
/// Set KPLAB_ANSWERS to the answers CSV (default: the bundled experiments/data/semeval2013-sra/answers.csv).
/// </summary>
[MemoryDiagnoser]
public class LexicalBenchmarks
{
    private string[] _texts = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("KPLAB_ANSWERS") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../experiments/data/semeval2013-sra/answers.csv"));
        _texts = Dataset.LoadCsv(path, new CsvColumnMapping { Text = "answer_text" }).Texts;
        _ = new GloveEmbedder(new GloveOptions(), PluginContext.Default).Dimension; // convert/load once, outside timing
    }

    [Benchmark] public EmbeddingMatrix TfidfWord() => Tfidf(new TfidfOptions());
    [Benchmark] public EmbeddingMatrix TfidfWord12MinDf2() => Tfidf(new TfidfOptions { NgramMax = 2, MinDf = 2 });
    [Benchmark] public EmbeddingMatrix TfidfCharWb24MaxFeatures() => Tfidf(new TfidfOptions { Analyzer = TfidfAnalyzer.CharWb, NgramMin = 2, NgramMax = 4, MaxFeatures = 5000 });
    [Benchmark] public EmbeddingMatrix TfidfWordLsa100() => Tfidf(new TfidfOptions { Components = 100 });
    [Benchmark] public EmbeddingMatrix GloveSif() => new GloveEmbedder(new GloveOptions(), PluginContext.Default).Embed(_texts);

    private EmbeddingMatrix Tfidf(TfidfOptions options) => new TfidfEmbedder(options, PluginContext.Default).Embed(_texts);
}

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
