using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Reporting;

/// <summary>A 2-D principal-component map of an embedding matrix, for pictures of one question's answers.</summary>
public static class PrincipalComponents
{
    /// <summary>
    /// Projects the centred rows onto the first two principal axes. Axes come from power iteration on the covariance
    /// (computed through the kernel's A·Bᵀ), each signed so its largest-magnitude entry is positive: the same input
    /// always gives the same map.
    /// </summary>
    /// <returns>Per row the coordinates on axis 1 and axis 2, and the share of variance each axis explains.</returns>
    public static (double[] X, double[] Y, double Explained1, double Explained2) Project2D(EmbeddingMatrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows, d = data.Columns;
        if (n == 0 || d == 0) return ([], [], 0, 0);
        var mean = new float[d];
        MatrixRows.ColumnMeans(data.Values, d, mean);
        // Centred data, transposed (d × n), so that XcT · XcTᵀ is the d × d scatter matrix.
        var centredT = new float[(long)d * n];
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) centredT[(long)j * n + i] = row[j] - mean[j];
        }
        var scatter = MatrixProduct.MultiplyTransposed(centredT, centredT, n);
        double total = 0;
        for (int j = 0; j < d; j++) total += scatter[j * d + j];
        var axis1 = LeadingEigenvector(scatter, d, null, out var l1);
        var axis2 = LeadingEigenvector(scatter, d, (axis1, l1), out var l2);
        var x = new double[n];
        var y = new double[n];
        var centred = new float[d];
        for (int i = 0; i < n; i++)
        {
            var row = data.Row(i);
            for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
            x[i] = VectorMath.Dot(centred, axis1);
            y[i] = VectorMath.Dot(centred, axis2);
        }
        return (x, y, total > 0 ? l1 / total : 0, total > 0 ? l2 / total : 0);
    }

    private static float[] LeadingEigenvector(float[] matrix, int d, (float[] Axis, double Value)? deflate, out double eigenvalue)
    {
        var v = new float[d];
        for (int j = 0; j < d; j++) v[j] = 1f / MathF.Sqrt(d) * (1 + (j % 7) * 0.01f);
        var next = new float[d];
        eigenvalue = 0;
        for (int iteration = 0; iteration < 300; iteration++)
        {
            for (int r = 0; r < d; r++) next[r] = VectorMath.Dot(matrix.AsSpan(r * d, d), v);
            if (deflate is { } prior)
                VectorMath.Axpy(-(float)(prior.Value * VectorMath.Dot(prior.Axis, v)), prior.Axis, next);
            var norm = VectorMath.L2Normalize(next);
            eigenvalue = norm;
            var change = VectorMath.SquaredL2(next, v);
            (v, next) = (next, v);
            if (norm == 0 || change < 1e-12f) break;
        }
        var largest = VectorMath.ArgMax(v.Select(MathF.Abs).ToArray());
        if (largest >= 0 && v[largest] < 0) VectorMath.Scale(-1f, v);
        return v;
    }
}
