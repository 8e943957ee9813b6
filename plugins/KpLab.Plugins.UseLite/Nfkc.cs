using System.Globalization;
using System.Text;

namespace KpLab.Plugins.UseLite;

/// <summary>
/// Unicode NFKC (compatibility decomposition, canonical ordering, canonical composition; Hangul algorithmically) on
/// tables generated from Unicode 14.0 by Unicode/make_nfkc_table.py. KpLab runs with InvariantGlobalization, where
/// .NET's string.Normalize leaves non-ASCII text unchanged, so the tokenizer cannot rely on it. (Node, whose NFKC the
/// package uses, has newer Unicode data; only characters assigned after 14.0 can differ.)
/// </summary>
internal static class Nfkc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Lazy<Tables> Data = new(Tables.Load);

    /// <summary>The NFKC form of <paramref name="text"/> (which must not hold lone surrogates).</summary>
    public static string Normalize(string text)
    {
        bool ascii = true;
        foreach (var c in text)
            if (c >= 0x80) { ascii = false; break; }
        if (ascii) return text;
        var tables = Data.Value;
        var buffer = new List<int>(text.Length + 8);
        foreach (var rune in text.EnumerateRunes()) Decompose(rune.Value, tables, buffer);
        OrderCanonically(buffer, tables);
        Compose(buffer, tables);
        var builder = new StringBuilder(buffer.Count);
        foreach (var cp in buffer) builder.Append(char.ConvertFromUtf32(cp));
        return builder.ToString();
    }

    private static void Decompose(int cp, Tables tables, List<int> output)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            int s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
        }
        else if (tables.Decompositions.TryGetValue(cp, out var mapping)) output.AddRange(mapping);
        else output.Add(cp);
    }

    // Stable sort of every run of non-starters by combining class.
    private static void OrderCanonically(List<int> cps, Tables tables)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int klass = tables.Class(cps[i]);
            if (klass == 0) continue;
            int j = i;
            while (j > 0 && tables.Class(cps[j - 1]) > klass)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
    }

    private static void Compose(List<int> cps, Tables tables)
    {
        if (cps.Count == 0) return;
        int starterAt = 0, starter = cps[0];
        int lastClass = tables.Class(starter) == 0 ? 0 : 256;
        int written = 1;
        for (int i = 1; i < cps.Count; i++)
        {
            int cp = cps[i], klass = tables.Class(cp);
            if ((lastClass < klass || lastClass == 0) && TryCompose(starter, cp, tables, out var composite))
            {
                cps[starterAt] = starter = composite;
                continue;
            }
            if (klass == 0)
            {
                starterAt = written;
                starter = cp;
            }
            lastClass = klass;
            cps[written++] = cp;
        }
        cps.RemoveRange(written, cps.Count - written);
    }

    private static bool TryCompose(int first, int second, Tables tables, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + second - VBase) * TCount;
            return true;
        }
        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + second - TBase;
            return true;
        }
        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private sealed class Tables
    {
        public Dictionary<int, int> Classes { get; } = [];
        public Dictionary<int, int[]> Decompositions { get; } = [];
        public Dictionary<long, int> Compositions { get; } = [];

        public int Class(int cp) => cp < 0x300 ? 0 : Classes.GetValueOrDefault(cp);

        public static Tables Load()
        {
            var tables = new Tables();
            using var stream = typeof(Nfkc).Assembly.GetManifestResourceStream("KpLab.Plugins.UseLite.nfkc-table.txt")
                ?? throw new InvalidOperationException("use-lite: the embedded NFKC table is missing.");
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (reader.ReadLine() is { } line)
            {
                var fields = line.Split(' ');
                int Hex(int i) => int.Parse(fields[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                switch (fields[0])
                {
                    case "C": tables.Classes[Hex(1)] = int.Parse(fields[2], CultureInfo.InvariantCulture); break;
                    case "D": tables.Decompositions[Hex(1)] = Enumerable.Range(2, fields.Length - 2).Select(Hex).ToArray(); break;
                    case "P": tables.Compositions[((long)Hex(1) << 21) | (uint)Hex(2)] = Hex(3); break;
                }
            }
            return tables;
        }
    }
}
