namespace KpLab.Plugins.KMeans;

/// <summary>One k-means run: labels, centres (row-major k × d, in the coordinates the run saw), inertia and iterations.</summary>
internal sealed record KMeansRun(int[] Labels, float[] Centres, double Inertia, int Iterations);
