namespace KpLab.Plugins.ExternalMetrics;

/// <summary>Optimal one-to-one assignment (Hungarian algorithm with potentials, O(r² c) for r ≤ c).</summary>
internal static class Assignment
{
    /// <summary>
    /// Assigns each row to a distinct column so the total weight is as large as possible.
    /// </summary>
    /// <param name="weights">Row-major <c>rows × columns</c> weights.</param>
    /// <returns>The column of each row, or -1 where there are more rows than columns and the row is left out.</returns>
    public static int[] Maximize(double[,] weights)
    {
        int rows = weights.GetLength(0), columns = weights.GetLength(1);
        if (rows <= columns) return MinimizeRowsFirst(rows, columns, (i, j) => -weights[i, j]);
        var byColumn = MinimizeRowsFirst(columns, rows, (i, j) => -weights[j, i]);
        var result = new int[rows];
        Array.Fill(result, -1);
        for (int j = 0; j < columns; j++) result[byColumn[j]] = j;
        return result;
    }

    // e-maxx formulation with 1-based arrays; requires n ≤ m.
    private static int[] MinimizeRowsFirst(int n, int m, Func<int, int, double> cost)
    {
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];
        var way = new int[m + 1];
        var minv = new double[m + 1];
        var used = new bool[m + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    double cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= m; j++)
            if (p[j] != 0) assignment[p[j] - 1] = j - 1;
        return assignment;
    }
}
