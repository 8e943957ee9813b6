using System.Globalization;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Agglomerative.Tests;

/// <summary>Reads the SciPy/scikit-learn fixtures written by Fixtures/make_fixtures.py.</summary>
internal static class ReferenceFixtures
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public static EmbeddingMatrix Data(string set) => NpyFile.Load(PathOf($"{set}.npy"));

    public static string[][] Csv(string file) =>
        File.ReadAllLines(PathOf(file)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();

    public static Merge[] Linkage(string tag) => Csv($"{tag}_Z.csv")
        .Select(r => new Merge(int.Parse(r[0], CultureInfo.InvariantCulture), int.Parse(r[1], CultureInfo.InvariantCulture),
            double.Parse(r[2], CultureInfo.InvariantCulture), int.Parse(r[3], CultureInfo.InvariantCulture)))
        .ToArray();

    public static (int[] ByCount, int[] ByThreshold) Labels(string tag)
    {
        var rows = Csv($"{tag}_labels.csv");
        return (rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToArray(),
            rows.Select(r => int.Parse(r[1], CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>The "threshold" value for <paramref name="tag"/> in meta.json (a flat, known layout).</summary>
    public static double Threshold(string tag)
    {
        var text = File.ReadAllText(PathOf("meta.json"));
        int at = text.IndexOf($"\"{tag}\"", StringComparison.Ordinal);
        int key = text.IndexOf("\"threshold\":", at, StringComparison.Ordinal) + "\"threshold\":".Length;
        int end = text.IndexOfAny([',', '\n', '}'], key);
        return double.Parse(text[key..end].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The adjusted Rand index of two labelings (Hubert and Arabie).</summary>
    public static double AdjustedRand(int[] a, int[] b)
    {
        var pairs = new Dictionary<(int, int), long>();
        var rowsA = new Dictionary<int, long>();
        var rowsB = new Dictionary<int, long>();
        for (int i = 0; i < a.Length; i++)
        {
            pairs[(a[i], b[i])] = pairs.GetValueOrDefault((a[i], b[i])) + 1;
            rowsA[a[i]] = rowsA.GetValueOrDefault(a[i]) + 1;
            rowsB[b[i]] = rowsB.GetValueOrDefault(b[i]) + 1;
        }
        static double Choose2(long x) => x * (x - 1) / 2.0;
        double index = pairs.Values.Sum(Choose2), sa = rowsA.Values.Sum(Choose2), sb = rowsB.Values.Sum(Choose2);
        double expected = sa * sb / Choose2(a.Length), max = (sa + sb) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
