using System.Globalization;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>R dbscan 1.1.11 <c>hdbscan(x, minPts)</c> output written by ../KpLab.Plugins.Agglomerative.Tests/Fixtures/make_fixtures.py.</summary>
internal sealed record RDbscanFixture(int[] Cluster, double[] MembershipProb, double[] OutlierScores, double[] CoreDist)
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    public static EmbeddingMatrix Data(string set) => NpyFile.Load(PathOf($"{set}.npy"));

    public static RDbscanFixture Load(string set, int minPts)
    {
        var rows = File.ReadAllLines(PathOf($"{set}_minpts{minPts}.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',')).ToArray();
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return new RDbscanFixture(rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToArray(),
            rows.Select(r => D(r[1])).ToArray(), rows.Select(r => D(r[2])).ToArray(), rows.Select(r => D(r[3])).ToArray());
    }

    /// <summary>Whether two labelings are the same partition up to renaming, with R's noise 0 matching our -1.</summary>
    public static string? Difference(int[] r, int[] ours)
    {
        var forward = new Dictionary<int, int>();
        var backward = new Dictionary<int, int>();
        for (int i = 0; i < r.Length; i++)
        {
            int a = r[i] == 0 ? -1 : r[i], b = ours[i];
            if ((a < 0) != (b < 0)) return $"row {i}: R says {(a < 0 ? "noise" : "cluster")}, we say {(b < 0 ? "noise" : "cluster")}";
            if (forward.TryGetValue(a, out var fb) && fb != b) return $"row {i}: R cluster {a} maps to both {fb} and {b}";
            if (backward.TryGetValue(b, out var ba) && ba != a) return $"row {i}: our cluster {b} maps to both {ba} and {a}";
            forward[a] = b;
            backward[b] = a;
        }
        return null;
    }
}
