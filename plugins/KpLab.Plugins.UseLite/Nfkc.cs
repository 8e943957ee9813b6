using System.Text;

namespace KpLab.Plugins.UseLite;

/// <summary>Unicode NFKC normalisation (placeholder: the platform's, which needs ICU).</summary>
internal static class Nfkc
{
    public static string Normalize(string text) => text.Normalize(NormalizationForm.FormKC);
}
