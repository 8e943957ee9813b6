namespace KpLab.Plugins.Tfidf;

/// <summary>
/// NumPy 1.24's default <c>argsort</c> (kind="quicksort": introsort with median-of-three, insertion sort below 16
/// elements and heapsort past the depth limit), ported step by step. It is not stable; scikit-learn's
/// <c>max_features</c> picks its top features with it, so equal counts are broken exactly as NumPy breaks them.
/// </summary>
internal static class NumpyArgsort
{
    private const int SmallQuicksort = 15;

    /// <summary>The permutation that sorts <paramref name="values"/> ascending, as <c>np.argsort(values)</c>.</summary>
    public static int[] Argsort(ReadOnlySpan<long> values)
    {
        var v = values.ToArray();
        int num = v.Length;
        var t = new int[num];
        for (int i = 0; i < num; i++) t[i] = i;
        if (num < 2) return t;
        var stack = new int[128];
        var depths = new int[64];
        int sp = 0, dp = 0;
        int pl = 0, pr = num - 1;
        int cdepth = MostSignificantBit(num) * 2;
        for (;;)
        {
            if (cdepth < 0)
            {
                HeapSort(v, t, pl, pr - pl + 1);
                goto StackPop;
            }
            while (pr - pl > SmallQuicksort)
            {
                int pm = pl + ((pr - pl) >> 1);
                if (v[t[pm]] < v[t[pl]]) Swap(t, pm, pl);
                if (v[t[pr]] < v[t[pm]]) Swap(t, pr, pm);
                if (v[t[pm]] < v[t[pl]]) Swap(t, pm, pl);
                long vp = v[t[pm]];
                int pi = pl, pj = pr - 1;
                Swap(t, pm, pj);
                for (;;)
                {
                    do ++pi; while (v[t[pi]] < vp);
                    do --pj; while (vp < v[t[pj]]);
                    if (pi >= pj) break;
                    Swap(t, pi, pj);
                }
                Swap(t, pi, pr - 1);
                // Push the larger partition, continue with the smaller one.
                if (pi - pl < pr - pi)
                {
                    stack[sp++] = pi + 1;
                    stack[sp++] = pr;
                    pr = pi - 1;
                }
                else
                {
                    stack[sp++] = pl;
                    stack[sp++] = pi - 1;
                    pl = pi + 1;
                }
                depths[dp++] = --cdepth;
            }
            for (int pi = pl + 1; pi <= pr; pi++)
            {
                int vi = t[pi];
                long vv = v[vi];
                int pj = pi, pk = pi - 1;
                while (pj > pl && vv < v[t[pk]]) t[pj--] = t[pk--];
                t[pj] = vi;
            }
        StackPop:
            if (sp == 0) break;
            pr = stack[--sp];
            pl = stack[--sp];
            cdepth = depths[--dp];
        }
        return t;
    }

    private static void HeapSort(long[] v, int[] t, int start, int n)
    {
        // One-based heap over t[start .. start + n).
        int a(int k) => t[start + k - 1];
        void set(int k, int value) => t[start + k - 1] = value;
        int i, j, tmp;
        for (int l = n >> 1; l > 0; --l)
        {
            tmp = a(l);
            for (i = l, j = l << 1; j <= n;)
            {
                if (j < n && v[a(j)] < v[a(j + 1)]) j++;
                if (v[tmp] < v[a(j)]) { set(i, a(j)); i = j; j += j; }
                else break;
            }
            set(i, tmp);
        }
        for (; n > 1;)
        {
            tmp = a(n);
            set(n, a(1));
            n--;
            for (i = 1, j = 2; j <= n;)
            {
                if (j < n && v[a(j)] < v[a(j + 1)]) j++;
                if (v[tmp] < v[a(j)]) { set(i, a(j)); i = j; j += j; }
                else break;
            }
            set(i, tmp);
        }
    }

    private static int MostSignificantBit(int n)
    {
        int depth = 0;
        while ((n >>= 1) != 0) depth++;
        return depth;
    }

    private static void Swap(int[] t, int i, int j) => (t[i], t[j]) = (t[j], t[i]);
}
