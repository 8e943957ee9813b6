using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>
/// Mini-batch k-means as scikit-learn's <c>MiniBatchKMeans</c> runs it: (max epochs × n / batch size) steps, each
/// drawing a batch with replacement, assigning it to the current centres and moving every touched centre to the
/// running mean of all rows it has ever received (per-centre counts as the learning rate). It stops early when the
/// exponentially weighted batch inertia has not improved for <c>maxNoImprovement</c> steps or the centres moved by at
/// most the tolerance. scikit-learn's random reassignment of rarely used centres is not done.
/// </summary>
internal sealed class MiniBatchSolver(KMeansData data, int k, int batchSize, int maxNoImprovement)
{
    public KMeansRun Run(float[] initialCentres, int maxEpochs, double tolerance, Random random, CancellationToken cancellationToken)
    {
        int n = data.Rows, d = data.Columns;
        int batch = Math.Min(batchSize, n);
        long steps = Math.Max(1, (long)maxEpochs * n / batch);
        var centres = (float[])initialCentres.Clone();
        var before = new float[k * d];
        var counts = new long[k];
        var batchRows = new float[batch * d];
        var batchIndex = new int[batch];
        var batchLabels = new int[batch];
        var batchOffsets = new float[batch];
        var assigner = new NearestCentre(batch, d, k);
        double alpha = Math.Min(1.0, batch * 2.0 / (n + 1));
        double ewa = 0, ewaMin = double.PositiveInfinity;
        int noImprovement = 0;
        long step;
        for (step = 0; step < steps; step++)
        {
            if ((step & 15) == 0) cancellationToken.ThrowIfCancellationRequested();
            for (int b = 0; b < batch; b++)
            {
                batchIndex[b] = random.Next(n);
                data.Row(batchIndex[b]).CopyTo(batchRows.AsSpan(b * d, d));
            }
            assigner.Assign(batchRows, batch, centres, batchLabels, accumulate: false, batchOffsets);
            double batchInertia = 0;
            for (int b = 0; b < batch; b++) batchInertia += Math.Max(0f, data.SquaredNorms[batchIndex[b]] + batchOffsets[b]);

            centres.CopyTo(before, 0);
            var touched = new int[k];
            for (int b = 0; b < batch; b++) touched[batchLabels[b]]++;
            for (int j = 0; j < k; j++)
            {
                if (touched[j] == 0) continue;
                var centre = centres.AsSpan(j * d, d);
                VectorMath.Scale(counts[j], centre);
                for (int b = 0; b < batch; b++)
                    if (batchLabels[b] == j) VectorMath.Add(batchRows.AsSpan(b * d, d), centre);
                counts[j] += touched[j];
                VectorMath.Scale((float)(1.0 / counts[j]), centre);
                if (data.Spherical) VectorMath.L2Normalize(centre);
            }

            double shift = 0;
            for (int j = 0; j < k; j++) shift += VectorMath.SquaredL2(before.AsSpan(j * d, d), centres.AsSpan(j * d, d));
            if (step == 0)
            {
                ewa = batchInertia / batch;
                continue;
            }
            ewa = ewa * (1 - alpha) + batchInertia / batch * alpha;
            if (tolerance > 0 && shift <= tolerance) { step++; break; }
            if (ewa < ewaMin) { ewaMin = ewa; noImprovement = 0; }
            else if (++noImprovement >= maxNoImprovement) { step++; break; }
        }
        var labels = new int[n];
        new NearestCentre(n, d, k).Assign(data.Values, n, centres, labels, accumulate: false);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        return new KMeansRun(labels, centres, LloydSolver.Inertia(data, centres, labels, parallel), (int)Math.Min(step, int.MaxValue));
    }
}
