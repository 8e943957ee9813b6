using System.Numerics;

namespace KpLab.Plugins.Umap;

/// <summary>
/// x^y on every lane of a <see cref="Vector{T}"/> at once, for the layout's gradients: 2^(y · log2 x) with short
/// polynomials, within 1e-6 relative of <see cref="Math.Pow(double, double)"/> while x^y lies in [1e-37, 1e38]
/// (x below 1e-30 is taken as 1e-30).
/// </summary>
/// <remarks>
/// The layout takes one power per gradient term, some 170 million at 20,000 rows; the C library's pow, exact to the
/// last bit but one value at a time, was most of its time. The gradient is a stochastic estimate and is clipped, so
/// 1e-6 is far below anything it can tell apart. Only IEEE operations that x64 and Arm round alike (add, multiply,
/// fused multiply–add, divide, round to nearest even, bit moves; no table, no hardware estimate such as rcp or rsqrt),
/// so a lane's result is the same on every machine and at every vector width.
/// </remarks>
internal static class ApproximatePower
{
    // log2 m = (2 / ln 2) · atanh t with t = (m − 1) / (m + 1); |t| ≤ 0.1716 for m in [√½, √2), where the t^9 term
    // left out is below 5e-8.
    private const float L1 = 2.88539008f, L3 = 0.961796694f, L5 = 0.577078016f, L7 = 0.412198583f;

    // e^u to u^6 / 6! for |u| ≤ ln 2 / 2: the u^7 term left out is below 1.3e-7 of the result.
    private const float Ln2 = 0.693147181f;
    private const float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720;

    // The float bits of √½: subtracting them puts every x's mantissa in [√½, √2) with one shift, no branch.
    private const int SqrtHalfBits = 0x3F35_04F3;

    /// <summary>x^y, lane by lane, for x &gt; 0.</summary>
    public static Vector<float> Pow(Vector<float> x, float y)
    {
        var floor = new Vector<float>(1e-30f);
        x = Vector.ConditionalSelect(Vector.GreaterThan(x, floor), x, floor);
        // x = 2^k · m with m in [√½, √2).
        var bits = Vector.AsVectorInt32(x);
        var k = Vector.ShiftRightArithmetic(bits - new Vector<int>(SqrtHalfBits), 23);
        var m = Vector.AsVectorSingle(bits - Vector.ShiftLeft(k, 23));
        var one = Vector<float>.One;
        var t = (m - one) / (m + one);
        var t2 = t * t;
        var log2m = t * Vector.FusedMultiplyAdd(t2, Vector.FusedMultiplyAdd(t2, Vector.FusedMultiplyAdd(t2,
            new Vector<float>(L7), new Vector<float>(L5)), new Vector<float>(L3)), new Vector<float>(L1));
        // y · log2 x = y·k + y·log2 m, with y·k split exactly into whole and fraction (the fused multiply–add rounds
        // once), so a large k costs no precision in the fraction.
        var yv = new Vector<float>(y);
        var kf = Vector.ConvertToSingle(k);
        var whole = Vector.Round(yv * kf);
        var fraction = Vector.FusedMultiplyAdd(yv, log2m, Vector.FusedMultiplyAdd(yv, kf, -whole));
        var wholeToo = Vector.Round(fraction);
        var u = (fraction - wholeToo) * new Vector<float>(Ln2);
        var u2 = u * u;
        var low = Vector.FusedMultiplyAdd(u2, Vector.FusedMultiplyAdd(u, new Vector<float>(E3), new Vector<float>(E2)), u + one);
        var high = Vector.FusedMultiplyAdd(u2, new Vector<float>(E6), Vector.FusedMultiplyAdd(u, new Vector<float>(E5), new Vector<float>(E4)));
        var power = Vector.FusedMultiplyAdd(u2 * u2, high, low);
        // 2^(whole + wholeToo) from its exponent bits, kept within float's normal range.
        var exponent = Vector.Min(Vector.Max(Vector.ConvertToInt32(whole + wholeToo), new Vector<int>(-126)), new Vector<int>(127));
        return power * Vector.AsVectorSingle(Vector.ShiftLeft(exponent + new Vector<int>(127), 23));
    }

    /// <summary>x^y for one x &gt; 0, exactly as a lane of <see cref="Pow(Vector{float}, float)"/>.</summary>
    public static float Pow(float x, float y) => Pow(new Vector<float>(x), y)[0];
}
