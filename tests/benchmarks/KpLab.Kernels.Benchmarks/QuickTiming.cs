using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace KpLab.Kernels.Benchmarks;

/// <summary>
/// Times X·Xᵀ (or A·Bᵀ with distinct operands) on raw float32 row-major data, best of N runs with a fresh output
/// each run (as NumPy's <c>X @ X.T</c> allocates one), and prints one JSON line per thread count.
/// </summary>
/// <remarks>
/// Usage: <c>quick --input FILE.f32 --n N --d D [--threads 1,2] [--repeats 3] [--general] [--knn K]</c>; without
/// --input a seeded random matrix is used. --general times the non-symmetric path (A and B distinct copies of X);
/// --knn K times the exact cosine k-NN self search instead (its GFLOP/s column counts the n² · d product it runs).
/// </remarks>
public static class QuickTiming
{
    public static int Run(string[] args)
    {
        string? input = null;
        int n = 5000, d = 384, repeats = 3;
        int[] threads = [1, Environment.ProcessorCount];
        bool general = false;
        int knn = 0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--input": input = args[++i]; break;
                case "--n": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--d": d = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--general": general = true; break;
                case "--knn": knn = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        var x = input is null ? RandomMatrix(n, d) : ReadRaw(input, n, d);
        var y = general ? (float[])x.Clone() : x;
        foreach (var t in threads)
        {
            using var scope = KernelParallelism.Override(t);
            var runs = new List<double>();
            var cpu = new List<double>();
            float[]? c = null;
            var process = System.Diagnostics.Process.GetCurrentProcess();
            for (int r = 0; r <= repeats; r++) // run 0 is the warm-up
            {
                c = null; // free the previous n × n result first (NumPy does the same)
                GC.Collect();
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                if (knn > 0) NearestNeighbors.Search(x, d, knn, PairwiseMeasure.CosineDistance, includeSelf: false);
                else c = MatrixProduct.MultiplyTransposed(x, y, d);
                sw.Stop();
                process.Refresh();
                if (r == 0) continue;
                runs.Add(sw.Elapsed.TotalSeconds);
                cpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
            }
            double best = runs.Min();
            runs.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\":\"kplab\",\"op\":\"{(knn > 0 ? $"knn{knn}_cosine" : general ? "a_bt" : "x_xt")}\",\"n\":{n},\"d\":{d},\"threads\":{t},\"seconds_min\":{best:F6},\"seconds_median\":{runs[runs.Count / 2]:F6},\"cpu_seconds_min\":{cpu.Min():F6},\"gflops_nominal_2n2d\":{2.0 * n * n * d / best / 1e9:F1},\"diag0\":{(c is null ? "null" : c[0].ToString("R", CultureInfo.InvariantCulture))}}}"));
        }
        return 0;
    }

    internal static float[] RandomMatrix(int n, int d, int seed = 42)
    {
        var rng = new Random(seed);
        var x = new float[checked(n * d)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        MatrixRows.NormalizeRows(x, d);
        return x;
    }

    private static float[] ReadRaw(string path, int n, int d)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != (long)n * d * sizeof(float))
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {n} x {d} float32.");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
