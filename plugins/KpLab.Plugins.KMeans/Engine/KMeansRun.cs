namespace KpLab.Plugins.KMeans;

/// <summary>One k-means run: labels, centres (row-major k × d, in the coordinates the run saw), inertia and iterations.</summary>
internal sealed record KMeansRun(int[] Labels, float[] Centres, double Inertia, int Iterations);

/// <summary>How the centres are refined.</summary>
public enum KMeansAlgorithm
{
    /// <summary>Lloyd's algorithm: every row against every centre each iteration (scikit-learn's "lloyd").</summary>
    Lloyd,

    /// <summary>Lloyd's iterations with Hamerly's bounds, which skip rows whose centre cannot have changed; same labels.</summary>
    Hamerly,

    /// <summary>Mini-batch k-means (Sculley 2010, as scikit-learn's MiniBatchKMeans) for large n.</summary>
    MiniBatch,
}
