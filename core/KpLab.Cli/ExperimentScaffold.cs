using System.Text;
using System.Text.RegularExpressions;
using KpLab.Scripting;

namespace KpLab.Cli;

/// <summary>
/// What <c>kplab new experiment NAME</c> writes into a new folder NAME: a starter sweep script (embedders x clusterers,
/// scored by metrics against the expert labels) and an editor project, so C# tooling offers completion and
/// go-to-definition on <c>Lab</c> and the contracts: <c>NAME.csproj</c> compiles the script as ordinary C# against
/// KpLab's assemblies with the same imports as <c>kplab run</c>, and <c>.kplab/LabGlobal.cs</c> declares <c>Lab</c>
/// for it (at run time <c>kplab</c> supplies the real one).
/// </summary>
/// <param name="kplabHome">The folder holding KpLab's assemblies (the installed tool's), referenced by the editor project.</param>
public sealed partial class ExperimentScaffold(string kplabHome)
{
    /// <summary>The data set a starter uses when none is given: the one KpLab ships.</summary>
    public const string DefaultDataset = "semeval2013-sra";

    /// <summary>Whether <paramref name="name"/> can name an experiment (a file name and a project name).</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    /// <summary>
    /// Writes the experiment <paramref name="name"/> into a new folder under <paramref name="parent"/>; returns the files
    /// written. <paramref name="dataset"/> is a short data set name or a CSV path (made relative to the new folder).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not valid.</exception>
    /// <exception cref="IOException">The folder exists and is not empty (nothing is overwritten).</exception>
    public IReadOnlyList<string> Write(string parent, string name, string? dataset)
    {
        if (!IsValidName(name))
            throw new ArgumentException($"'{name}' cannot name an experiment: use letters, digits, '-', '_' or '.', starting with a letter.", nameof(name));
        var folder = Path.GetFullPath(Path.Combine(parent, name));
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder} exists and is not empty; choose another name or folder.");
        Directory.CreateDirectory(Path.Combine(folder, ".kplab"));
        var files = new (string Path, string Text)[]
        {
            (Path.Combine(folder, name + ".csx"), Script(name, DatasetExpression(folder, dataset ?? DefaultDataset))),
            (Path.Combine(folder, name + ".csproj"), EditorProject(name)),
            (Path.Combine(folder, ".kplab", "LabGlobal.cs"), LabGlobal),
            (Path.Combine(folder, ".gitignore"), "bin/\nobj/\nruns/\n"),
        };
        foreach (var (path, text) in files) File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return files.Select(f => f.Path).ToArray();
    }

    private static string DatasetExpression(string folder, string dataset)
    {
        if (DatasetRegistry.IsShortName(dataset)) return Quote(dataset);
        // A CSV: relative to the script (Lab resolves input paths against the script's folder), columns spelled out.
        var relative = Path.GetRelativePath(folder, Path.GetFullPath(dataset)).Replace('\\', '/');
        return $"{Quote(relative)}, text: \"text\", label: \"label\", group: \"group\"";
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Script(string name, string dataset) => $$"""
        // {{name}}: a small sweep: each embedder x each clusterer on one group of the data, scored against the expert
        // labels (ARI, NMI) and on its own (silhouette).
        //   kplab run {{name}}.csx        tables and run.json land in runs/{{name}}/<time>/
        //   kplab plugins               every embedder, clusterer and metric, with its options
        // A data set name (data/<name>/dataset.yaml) or a CSV with its answer, expert label and question columns.
        var data = Lab.LoadDataset({{dataset}});
        // The largest group (one question) keeps the first run quick; sweep `data` itself for everything.
        var sample = data.SplitByGroup().OrderByDescending(g => g.Count).FirstOrDefault() ?? data;
        int k = sample.LabelNames.Count;
        Lab.Log($"{sample.Name}: {sample.Count} answers, {k} labels: {string.Join(", ", sample.LabelNames)}");

        string[] embedders = ["tfidf", "use-lite"];
        (string Name, object Options)[] clusterers =
        [
            ("kmeans", new { k, nInit = 4 }),
            ("agglomerative", new { nClusters = k, linkage = "ward" }),
        ];

        var rows = new List<SweepRow>();
        foreach (var embedderName in embedders)
        {
            var vectors = Lab.Embedder(embedderName).Embed(sample.Texts);   // cached on disk: a rerun embeds nothing
            foreach (var (clustererName, options) in clusterers)
            {
                var clusters = Lab.Clusterer(clustererName, options).Fit(vectors);
                var input = new EvaluationInput { Embeddings = vectors, Predicted = clusters, Truth = sample.Labels };
                rows.Add(new SweepRow(embedderName, clustererName, k,
                    Lab.Metric("ari").Evaluate(input).Value,
                    Lab.Metric("nmi").Evaluate(input).Value,
                    Lab.Metric("silhouette", new { distance = "cosine" }).Evaluate(input).Value));
            }
        }
        Lab.Table("sweep", rows);
        foreach (var r in rows.OrderByDescending(r => r.Ari))
            Lab.Log($"{r.Embedder,-10} {r.Clusterer,-14} ARI {r.Ari:F3}  NMI {r.Nmi:F3}  silhouette {r.Silhouette:F3}");

        record SweepRow(string Embedder, string Clusterer, int K, double Ari, double Nmi, double Silhouette);

        """;

    private string EditorProject(string name)
    {
        var usings = new StringBuilder();
        foreach (var import in ScriptCompiler.DefaultImports) usings.Append($"    <Using Include=\"{import}\" />\n");
        return $"""
            <!-- For editors only (completion, go-to-definition): compiles {name}.csx as ordinary C# against KpLab's
                 assemblies, with the imports `kplab run` gives every script. Run the experiment with `kplab run {name}.csx`.
                 `#r` and `#load` lines are script-only syntax: an editor marks them, kplab runs them. -->
            <Project>
              <PropertyGroup>
                <!-- Stand alone: no Directory.Build.props or central package versions of folders above. -->
                <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
                <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
              </PropertyGroup>
              <Import Project="Sdk.props" Sdk="Microsoft.NET.Sdk" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <LangVersion>latest</LangVersion>
                <Nullable>disable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
                <!-- Where kplab's assemblies are (the installed tool); `kplab new` wrote this one. -->
                <KpLabHome Condition="'$(KpLabHome)' == ''">{System.Security.SecurityElement.Escape(Path.TrimEndingDirectorySeparator(kplabHome))}</KpLabHome>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="{name}.csx" />
                <Compile Include=".kplab/LabGlobal.cs" />
                <Reference Include="$(KpLabHome)/KpLab.*.dll" Private="false" />
            {usings}  </ItemGroup>
              <Import Project="Sdk.targets" Sdk="Microsoft.NET.Sdk" />
            </Project>

            """;
    }

    private const string LabGlobal = """
        // For editors only: declares the `Lab` that `kplab run` gives every script, so completion and go-to-definition
        // work in the .csx. It is not part of a run.
        global using static KpLabEditorGlobals;

        internal static class KpLabEditorGlobals
        {
            /// <summary>The script's view of KpLab (supplied by `kplab run`).</summary>
            public static KpLab.Scripting.Lab Lab =>
                throw new System.NotSupportedException("This project is for editors; run the experiment with `kplab run`.");
        }

        """;

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex ValidName();
}
