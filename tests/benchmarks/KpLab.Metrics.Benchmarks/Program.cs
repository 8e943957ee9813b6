using System.Diagnostics;
using System.Runtime.InteropServices;
using KpLab.Abstractions;
using KpLab.Kernels;
using KpLab.Plugins.ExternalMetrics;
using KpLab.Plugins.InternalMetrics;

// Times KpLab's metrics on the raw files bench/peer.py wrote (same bytes as scikit-learn sees) and prints one JSON
// line per measurement: usage: <base path without extension> <n> <d> [repeats] [silhouette methods, comma-separated].
if (args.Length < 3) { Console.Error.WriteLine("usage: base n d [repeats] [methods]"); return 2; }
string basePath = args[0];
int n = int.Parse(args[1]), d = int.Parse(args[2]);
int repeats = args.Length > 3 ? int.Parse(args[3]) : 3;
var methods = (args.Length > 4 ? args[4] : "decomposed,pairwise").Split(',').Select(m => Enum.Parse<SilhouetteMethod>(m, true)).ToArray();

var values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(basePath + ".f32")).ToArray();
var data = EmbeddingMatrix.FromValues(n, d, values);
int[] ReadLabels(string ext) => MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(basePath + ext)).ToArray();
var truth = ReadLabels(".labels.i32");
var predicted = ReadLabels(".pred.i32");

double Time(Func<double> run, out double value)
{
    value = run(); // warm-up
    double best = double.PositiveInfinity;
    for (int r = 0; r < repeats; r++)
    {
        var sw = Stopwatch.StartNew();
        value = run();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return best;
}

var silhouetteInput = new EvaluationInput { Embeddings = data, Predicted = new Partition(truth) };
var externalInput = new EvaluationInput { Predicted = new Partition(predicted), Truth = truth };
foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
{
    using var scope = KernelParallelism.Override(threads);
    foreach (var method in methods)
    {
        var metric = new Silhouette(new SilhouetteOptions { Distance = SilhouetteDistance.Cosine, Method = method });
        double seconds = Time(() => metric.Evaluate(silhouetteInput).Value, out var value);
        Console.WriteLine($"{{\"op\":\"silhouette_cosine\",\"method\":\"{method.ToString().ToLowerInvariant()}\",\"n\":{n},\"d\":{d},\"threads\":{threads},\"seconds_min\":{seconds:R},\"silhouette\":{value:R}}}");
    }
    var ari = new AdjustedRandIndex(new ExternalMetricOptions());
    var nmi = new NormalizedMutualInformation(new MutualInformationOptions());
    double ta = Time(() => ari.Evaluate(externalInput).Value, out var va);
    Console.WriteLine($"{{\"op\":\"ari\",\"n\":{n},\"d\":{d},\"threads\":{threads},\"seconds_min\":{ta:R},\"ari\":{va:R}}}");
    double tn = Time(() => nmi.Evaluate(externalInput).Value, out var vn);
    Console.WriteLine($"{{\"op\":\"nmi\",\"n\":{n},\"d\":{d},\"threads\":{threads},\"seconds_min\":{tn:R},\"nmi\":{vn:R}}}");
}
return 0;
