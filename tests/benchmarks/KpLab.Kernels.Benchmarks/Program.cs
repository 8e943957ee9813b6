using BenchmarkDotNet.Running;
using KpLab.Kernels.Benchmarks;

// `quick ...` is the plain best-of-N Stopwatch timing used for the side-by-side table with NumPy (scripts/bench-kernels);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "quick") return QuickTiming.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(QuickTiming).Assembly).Run(args);
return 0;
