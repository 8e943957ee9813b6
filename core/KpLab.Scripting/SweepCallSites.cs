using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KpLab.Scripting;

/// <summary>
/// Where a script's files call <c>.Run()</c> with no arguments (how a sweep is run), read from their syntax: a shard run
/// whose script threw after a sweep asks whether control could still have reached another sweep. The answer is
/// conservative: a call written after the failing line, one inside a function or lambda (it may be called later), one
/// in a loop around the failing line, any call in another file, or a failure with no script line all count as
/// "could". Only a failure after every sweep call of a straight script counts as "could not".
/// </summary>
internal sealed class SweepCallSites
{
    private readonly IReadOnlyList<(string File, int Line, bool InFunction, IReadOnlyList<(int First, int Last)> Loops)> _sites;

    private SweepCallSites(IReadOnlyList<(string, int, bool, IReadOnlyList<(int, int)>)> sites) => _sites = sites;

    /// <summary>The <c>.Run()</c> calls of <paramref name="source"/>'s files (unreadable files are skipped).</summary>
    public static SweepCallSites Of(ScriptSource source)
    {
        var sites = new List<(string, int, bool, IReadOnlyList<(int, int)>)>();
        foreach (var file in source.Files)
        {
            string text;
            try { text = File.ReadAllText(file.Path); }
            catch (IOException) { continue; }
            var root = CSharpSyntaxTree.ParseText(text, ScriptCompiler.ParseOptions, file.Path).GetRoot();
            foreach (var call in root.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Run" } || call.ArgumentList.Arguments.Count > 0)
                    continue;
                bool inFunction = call.Ancestors().Any(a => a is LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax
                    or AnonymousFunctionExpressionSyntax or AccessorDeclarationSyntax);
                var loops = call.Ancestors().Where(a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                    .Select(a => a.GetLocation().GetLineSpan()).Select(s => (s.StartLinePosition.Line + 1, s.EndLinePosition.Line + 1)).ToArray();
                sites.Add((file.Path, call.GetLocation().GetLineSpan().EndLinePosition.Line + 1, inFunction, loops));
            }
        }
        return new SweepCallSites(sites);
    }

    /// <summary>How many <c>.Run()</c> calls the files hold.</summary>
    public int Count => _sites.Count;

    /// <summary>
    /// Whether a sweep could still have run after a failure at <paramref name="location"/> ("file:line", as
    /// <see cref="CompiledScript.Locate"/> gives it; null when the failure has no script line).
    /// </summary>
    public bool CouldRunAfter(string? location)
    {
        if (_sites.Count == 0) return false;
        int colon = location?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(location![(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var line)) return true;
        var file = location[..colon];
        return _sites.Any(s => s.File != file || s.InFunction || s.Line > line || s.Loops.Any(l => l.First <= line && line <= l.Last));
    }
}
