using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using System.Security.Cryptography;
using KpLab.Abstractions;
using static KpLab.Hosting.Tests.TestPluginFolders;

namespace KpLab.Hosting.Tests;

public sealed class PluginCatalogTests
{
    private static readonly EmbeddingMatrix FiveRows = EmbeddingMatrix.Create(5, 2, values => values.Fill(1));

    [Fact]
    public void Describes_each_plugin_sorted_by_kind_then_name()
    {
        using var catalog = PluginCatalog.Load(Only(Basic));

        Assert.Empty(catalog.Errors);
        Assert.Equal(
            [(PluginKind.Embedder, "test-length"), (PluginKind.Clusterer, "test-modulo"), (PluginKind.Metric, "test-count"),
             (PluginKind.Reducer, "test-first-columns")],
            catalog.Plugins.Select(p => (p.Kind, p.Name)));
        var modulo = catalog.Find(PluginKind.Clusterer, "test-modulo");
        Assert.Equal("3.4.5", modulo.Version);
        Assert.Equal("Row index modulo the cluster count.", modulo.Description);
        Assert.Equal(Assembly(Basic), modulo.AssemblyPath);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Assembly(Basic)))), modulo.AssemblySha256);
        Assert.Equal(PluginOrigin.External, modulo.Origin);
        Assert.Equal("KpLab.TestPlugins.Basic.ModuloOptions", modulo.OptionsTypeName);
        Assert.Equal(
            [new OptionDescriptor("clusters", "int", "2", "Number of clusters."),
             new OptionDescriptor("offset", "int", "0", "Offset added to each row index before taking the remainder.")],
            modulo.Options);
        Assert.Equal(typeof(NoOptions).FullName, catalog.Find(PluginKind.Metric, "test-count").OptionsTypeName);
        Assert.Equal(typeof(NoOptions).FullName, catalog.Find(PluginKind.Embedder, "test-length").OptionsTypeName);
        Assert.Empty(catalog.Find(PluginKind.Metric, "test-count").Options);
        Assert.Equal([new MetricColumn("label", "int", true), new MetricColumn("count", "int", false), new MetricColumn("noise", "bool", false)],
            catalog.Find(PluginKind.Metric, "test-count").OutputColumns);
        Assert.Empty(modulo.OutputColumns);
    }

    [Fact]
    public void Discovers_every_plugin_subfolder_of_a_plugins_folder_as_bundled()
    {
        using var catalog = PluginCatalog.Load(new PluginSearchPath(Root, []));

        var names = catalog.Plugins.Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
            { "test-length", "test-modulo", "test-count", "test-survivor", "test-throws", "test-shared-v1", "test-shared-v2",
              "test-static-throws", "test-static-exit", "test-exit-in-constructor", "test-exit-on-load", "test-throw-on-load" }, names);
        Assert.DoesNotContain("test-future", names);
        Assert.All(catalog.Plugins, p => Assert.Equal(PluginOrigin.Bundled, p.Origin));
        Assert.Contains(catalog.Errors, e => e.Path == Assembly(FutureContracts));
    }

    [Fact]
    public void Creates_plugins_with_bound_options_and_the_given_context()
    {
        using var catalog = PluginCatalog.Load(Only(Basic));
        var context = new PluginContext(new RandomSource(7));

        var clusterer = catalog.CreateClusterer("test-modulo", new { clusters = 3, offset = 1 }, context);
        Assert.Equal([1, 2, 0, 1, 2], clusterer.Fit(FiveRows).Labels);
        Assert.Same(context, clusterer.GetType().GetProperty("Context")!.GetValue(clusterer));
        Assert.Equal([0, 1, 2, 3, 0], catalog.CreateClusterer("test-modulo", "clusters: 4", context).Fit(FiveRows).Labels);
        Assert.Equal([0, 1, 0, 1, 0], catalog.CreateClusterer("test-modulo", null, context).Fit(FiveRows).Labels);

        var metric = catalog.CreateMetric("test-count", null, context);
        var counted = metric.Evaluate(new EvaluationInput { Predicted = new Partition([0, 0, 1, 1, -1]) });
        Assert.Equal(5, counted.Value);
        // The typed rows of a plugin in its own load context flatten through the host's contracts.
        Assert.Equal("KpLab.TestPlugins.Basic.LabelCountRow", counted.RowType?.FullName);
        Assert.Equal(["-1", "0", "1"], counted.Rows.Select(r => r.Key));
        Assert.Equal([1.0, 2, 2], counted.Rows.Select(r => r["count"]));
        Assert.Equal([1.0, 0, 0], counted.Rows.Select(r => r["noise"]));
        var embedder = catalog.CreateEmbedder("TEST-LENGTH", null, context);
        Assert.Equal([3f, 0f], embedder.Embed(["abc", null]).Values.ToArray());
        var reducer = catalog.CreateReducer("test-first-columns", new { columns = 1 }, context);
        var model = reducer.Fit(EmbeddingMatrix.FromValues(2, 2, [1f, 2f, 3f, 4f]));
        Assert.Equal((2, 1), (model.InputDimension, model.OutputDimension));
        Assert.Equal([1f, 3f], model.Embedding.Values.ToArray());
        Assert.Equal([5f], model.Transform(EmbeddingMatrix.FromValues(1, 2, [5f, 6f])).Values.ToArray());
        Assert.Equal(PluginKind.Reducer, catalog.Find(PluginKind.Reducer, "test-first-columns").Kind);
    }

    [Fact]
    public void Plugin_types_share_the_hosts_contracts_and_kernel()
    {
        using var catalog = PluginCatalog.Load(Only(Basic));
        var clusterer = catalog.CreateClusterer("test-modulo", null, PluginContext.Default);

        var pluginContext = AssemblyLoadContext.GetLoadContext(clusterer.GetType().Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, pluginContext);
        Assert.True(pluginContext.IsCollectible);
        var contracts = pluginContext.Assemblies.Single(a => a.GetName().Name == clusterer.GetType().Assembly.GetName().Name)
            .GetReferencedAssemblies().Select(n => n.Name).ToArray();
        Assert.Contains("KpLab.Abstractions", contracts);
        Assert.DoesNotContain(pluginContext.Assemblies, a => a.GetName().Name is "KpLab.Abstractions" or "KpLab.Kernels");
        Assert.Same(typeof(IClusterer), clusterer.GetType().GetInterfaces().Single());
    }

    [Fact]
    public void A_plugin_that_ships_its_own_copy_of_the_contracts_still_gets_the_hosts()
    {
        using var scratch = new ScratchFolder();
        var folder = CopyTo(Basic, scratch.Path);
        File.Copy(typeof(IClusterer).Assembly.Location, Path.Combine(folder, "KpLab.Abstractions.dll"));
        DepsJson.AddAsset(Path.Combine(folder, Basic + ".deps.json"), Basic, "runtime", "KpLab.Abstractions.dll");

        using var catalog = PluginCatalog.Load(new PluginSearchPath(scratch.Path, []));

        Assert.Empty(catalog.Errors);
        var clusterer = catalog.Create(PluginKind.Clusterer, "test-modulo", null, PluginContext.Default);
        Assert.IsAssignableFrom<IClusterer>(clusterer);
        Assert.Same(typeof(IClusterer).Assembly,
            AssemblyLoadContext.GetLoadContext(clusterer.GetType().Assembly)!.LoadFromAssemblyName(typeof(IClusterer).Assembly.GetName()));
    }

    [Fact]
    public void Bad_option_names_plugin_option_and_expected_type()
    {
        using var catalog = PluginCatalog.Load(Only(Basic));

        var wrongType = Assert.Throws<PluginOptionException>(() =>
            catalog.CreateClusterer("test-modulo", new { clusters = "many" }, PluginContext.Default));
        Assert.Equal(("test-modulo", "clusters"), (wrongType.Plugin, wrongType.Option));
        Assert.Contains("expects int", wrongType.Message);
        var invalid = Assert.Throws<PluginOptionException>(() =>
            catalog.CreateClusterer("test-modulo", new { clusters = 0 }, PluginContext.Default));
        Assert.Contains("must be at least 1, got 0", invalid.Message);
        var unknown = Assert.Throws<PluginOptionException>(() =>
            catalog.CreateMetric("test-count", new { bins = 3 }, PluginContext.Default));
        Assert.Equal(("test-count", "bins"), (unknown.Plugin, unknown.Option));
    }

    [Fact]
    public void Unknown_name_lists_the_available_names_of_that_kind()
    {
        using var catalog = PluginCatalog.Load(Only(Basic, Faulty));

        var e = Assert.Throws<UnknownPluginException>(() => catalog.Find(PluginKind.Clusterer, "kmeans"));
        Assert.Equal(["test-modulo", "test-throws"], e.Available);
        Assert.Contains("No clusterer plugin named 'kmeans'. Available: test-modulo, test-throws.", e.Message);
        Assert.Throws<UnknownPluginException>(() => catalog.CreateMetric("test-modulo", null, PluginContext.Default));
    }

    [Fact]
    public void Two_plugins_use_different_versions_of_one_library_in_one_process()
    {
        using var catalog = PluginCatalog.Load(Only(SharedV1, SharedV2));
        Assert.Empty(catalog.Errors);

        var v1 = catalog.CreateEmbedder("test-shared-v1", null, PluginContext.Default);
        var v2 = catalog.CreateEmbedder("test-shared-v2", null, PluginContext.Default);

        Assert.Equal("shared-dep 1.0.0.0", v1.Identity);
        Assert.Equal("shared-dep 2.0.0.0", v2.Identity);
        Assert.Equal([1f, 1f], v1.Embed(["a", "b"]).Values.ToArray());
        Assert.Equal([2f], v2.Embed(["a"]).Values.ToArray());
        static string SharedDepFolder(object plugin) => Path.GetDirectoryName(AssemblyLoadContext.GetLoadContext(plugin.GetType().Assembly)!
            .Assemblies.Single(a => a.GetName().Name == "KpLab.TestPlugins.SharedDep").Location)!;
        Assert.Equal(Folder(SharedV1), SharedDepFolder(v1));
        Assert.Equal(Folder(SharedV2), SharedDepFolder(v2));
    }

    [Fact]
    public void Plugin_built_against_a_newer_contracts_minor_is_refused_before_loading_naming_both_versions()
    {
        var future = Assembly(FutureContracts);
        var host = typeof(PluginKind).Assembly.GetName().Version!;
        var wanted = ReferencedVersion(future, "KpLab.Abstractions")!;
        Assert.Equal((host.Major, host.Minor + 1), (wanted.Major, wanted.Minor));

        using var catalog = PluginCatalog.Load(Only(FutureContracts, Basic));

        var error = Assert.Single(catalog.Errors);
        Assert.Equal(future, error.Path);
        Assert.Contains($"built against KpLab.Abstractions {wanted.Major}.{wanted.Minor} ({wanted})", error.Message);
        Assert.Contains($"this host has KpLab.Abstractions {host.Major}.{host.Minor} ({host})", error.Message);
        Assert.Contains("not newer", error.Message);
        Assert.Equal(4, catalog.Plugins.Count);
        Assert.DoesNotContain(AssemblyLoadContext.All.SelectMany(c => c.Assemblies),
            a => a.GetName().Name == FutureContracts);
    }

    [Fact]
    public void Asking_for_a_refused_plugin_by_name_gives_the_file_and_the_reason()
    {
        using var catalog = PluginCatalog.Load(Only(FutureContracts, Faulty));

        var future = Assert.Throws<UnknownPluginException>(() => catalog.CreateMetric("test-future", null, PluginContext.Default));
        Assert.Contains("The metric plugin 'test-future' is not available", future.Message);
        Assert.Contains($"{Assembly(FutureContracts)}: Refused: it was built against KpLab.Abstractions", future.Message);
        Assert.Equal(Assembly(FutureContracts), Assert.Single(future.Refused).Path);
        var broken = Assert.Throws<UnknownPluginException>(() => catalog.Find(PluginKind.Clusterer, "test-two-constructors"));
        Assert.Contains("2 public constructors", broken.Message);
        var unknown = Assert.Throws<UnknownPluginException>(() => catalog.Find(PluginKind.Clusterer, "kmeans"));
        Assert.StartsWith("No clusterer plugin named 'kmeans'.", unknown.Message);
        Assert.Empty(unknown.Refused);
    }

    [Theory]
    [InlineData("2.0.0.0", "2.0.0.0", null)]
    [InlineData("2.3.0.0", "2.1.0.0", null)]
    [InlineData("2.3.0.0", "2.4.0.0", "not newer")]
    [InlineData("2.3.0.0", "1.9.0.0", "major version must match")]
    [InlineData("2.3.0.0", "3.0.0.0", "major version must match")]
    public void Contracts_need_the_same_major_and_a_minor_not_newer_than_the_hosts(string host, string plugin, string? refusal)
    {
        var manifest = new PluginAssemblyManifest(new System.Reflection.AssemblyName("Plugin"),
            [new System.Reflection.AssemblyName($"KpLab.Abstractions, Version={plugin}")]);

        var problem = manifest.ContractsProblem([new System.Reflection.AssemblyName($"KpLab.Abstractions, Version={host}")]);

        if (refusal is null) Assert.Null(problem);
        else
        {
            Assert.Contains(refusal, problem);
            Assert.Contains($"built against KpLab.Abstractions {plugin[..3]} ({plugin})", problem);
            Assert.Contains($"this host has KpLab.Abstractions {host[..3]} ({host})", problem);
        }
    }

    [Fact]
    public void Types_breaking_the_plugin_rules_are_reported_and_the_rest_load()
    {
        using var catalog = PluginCatalog.Load(Only(Faulty));

        Assert.Equal(["test-throws", "test-survivor"], catalog.Plugins.Select(p => p.Name));
        var faulty = Assembly(Faulty);
        Assert.All(catalog.Errors, e => Assert.Equal(faulty, e.Path));
        var messages = catalog.Errors.Select(e => e.Message).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(4, messages.Length);
        Assert.Contains(messages, m => m.Contains("'Test_Bad_Name'") && m.Contains("lower-case letters, digits and single hyphens"));
        Assert.Contains(messages, m => m.Contains("'test-bad-parameter'") && m.Contains("parameter 'modelPath' (String)"));
        Assert.Contains(messages, m => m.Contains("'test-two-constructors'") && m.Contains("2 public constructors"));
        Assert.Contains(messages, m => m.Contains("metric plugin 'test-wrong-kind'") && m.Contains("does not implement IMetric"));
    }

    [Fact]
    public void Constructor_failure_names_the_plugin_and_its_file()
    {
        using var catalog = PluginCatalog.Load(Only(Faulty));

        var e = Assert.Throws<PluginCreationException>(() => catalog.CreateClusterer("test-throws", null, PluginContext.Default));
        Assert.Contains("clusterer plugin 'test-throws'", e.Message);
        Assert.Contains(Assembly(Faulty), e.Message);
        Assert.Contains("model files missing", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal("test-throws", e.Plugin.Name);
        Assert.Equal(1, catalog.CreateMetric("test-survivor", null, PluginContext.Default).Evaluate(new EvaluationInput()).Value);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_reported_and_the_rest_load()
    {
        using var scratch = new ScratchFolder();
        var broken = Directory.CreateDirectory(Path.Combine(scratch.Path, "Broken")).FullName;
        File.WriteAllBytes(Path.Combine(broken, "Broken.dll"), [0x4d, 0x5a, 1, 2, 3, 4, 5, 6, 7, 8]);
        File.WriteAllText(Path.Combine(broken, "Broken.deps.json"), "{}");

        using var catalog = PluginCatalog.Load(new PluginSearchPath(scratch.Path, [Folder(Basic)]));

        var error = Assert.Single(catalog.Errors);
        Assert.Equal(Path.Combine(broken, "Broken.dll"), error.Path);
        Assert.StartsWith("Cannot be loaded: BadImageFormatException", error.Message);
        Assert.Equal(4, catalog.Plugins.Count);
    }

    [Fact]
    public void A_missing_dependency_is_reported_and_the_rest_load()
    {
        using var scratch = new ScratchFolder();
        var copy = CopyTo(SharedV1, scratch.Path);
        File.Delete(Path.Combine(copy, "KpLab.TestPlugins.SharedDep.dll"));

        using var catalog = PluginCatalog.Load(new PluginSearchPath(scratch.Path, [Folder(Basic)]));

        var error = Assert.Single(catalog.Errors);
        Assert.Equal(Path.Combine(copy, SharedV1 + ".dll"), error.Path);
        Assert.Contains("KpLab.TestPlugins.SharedDep", error.Message);
        Assert.Equal(4, catalog.Plugins.Count);
    }

    [Fact]
    public void A_plugin_folder_without_deps_json_is_reported()
    {
        using var scratch = new ScratchFolder();
        var copy = CopyTo(Basic, scratch.Path);
        File.Delete(Path.Combine(copy, Basic + ".deps.json"));

        using var catalog = PluginCatalog.Load(new PluginSearchPath(scratch.Path, []));

        var error = Assert.Single(catalog.Errors);
        Assert.Equal(Path.Combine(copy, Basic + ".dll"), error.Path);
        Assert.Contains(".deps.json is missing", error.Message);
        Assert.Empty(catalog.Plugins);
    }

    [Fact]
    public void The_same_name_in_two_assemblies_is_a_conflict_naming_both_files_and_neither_is_used()
    {
        using var scratch = new ScratchFolder();
        var copy = Path.Combine(CopyTo(Basic, scratch.Path), Basic + ".dll");

        using var catalog = PluginCatalog.Load(new PluginSearchPath(Root, [scratch.Path]));

        Assert.DoesNotContain(catalog.Plugins, p => p.AssemblyPath == copy || p.AssemblyPath == Assembly(Basic));
        Assert.Contains(catalog.Plugins, p => p.Name == "test-survivor");
        var conflicts = catalog.Errors.Where(e => e.Path == copy).ToArray();
        Assert.Equal(4, conflicts.Length);
        Assert.All(conflicts, e => Assert.Contains($"{Assembly(Basic)} and {copy}", e.Message));
        var thrown = Assert.Throws<PluginConflictException>(() => catalog.CreateClusterer("test-modulo", null, PluginContext.Default));
        Assert.Equal([Assembly(Basic), copy], thrown.AssemblyPaths);
        Assert.Contains("'test-modulo' is defined by more than one assembly", thrown.Message);
    }

    [Fact]
    public void A_folder_listed_twice_loads_once()
    {
        using var catalog = PluginCatalog.Load(new PluginSearchPath(Folder(Basic), [Folder(Basic), Root + "/" + Basic + "/"]));

        Assert.Empty(catalog.Errors);
        Assert.Equal(4, catalog.Plugins.Count);
        Assert.All(catalog.Plugins, p => Assert.Equal(PluginOrigin.Bundled, p.Origin));
    }

    [Fact]
    public void No_plugins_is_an_empty_catalog_and_a_missing_folder_is_an_error_not_an_exception()
    {
        using var scratch = new ScratchFolder();
        using (var empty = PluginCatalog.Load(new PluginSearchPath(scratch.Path, [])))
        {
            Assert.Empty(empty.Plugins);
            Assert.Empty(empty.Errors);
            Assert.EndsWith("Available: (none).", Assert.Throws<UnknownPluginException>(() => empty.Find(PluginKind.Metric, "ari")).Message);
        }
        using var nothing = PluginCatalog.Load(new PluginSearchPath(null, []));
        Assert.Empty(nothing.Plugins);
        var missing = Path.Combine(scratch.Path, "absent");
        using var absent = PluginCatalog.Load(new PluginSearchPath(missing, []));
        Assert.Equal([new PluginLoadError(missing, "The plugins folder does not exist.")], absent.Errors);
    }

    [Fact]
    public void Dispose_empties_the_catalog_and_refuses_to_create()
    {
        var catalog = PluginCatalog.Load(Only(Basic));
        catalog.Dispose();
        catalog.Dispose();

        Assert.Empty(catalog.Plugins);
        Assert.Throws<ObjectDisposedException>(() => catalog.CreateClusterer("test-modulo", null, PluginContext.Default));
    }

    [Fact]
    public void No_plugin_folder_holds_a_copy_of_the_contracts_or_the_kernel()
    {
        var pluginFolders = new[] { Root, Path.Combine(RepoRoot, "artifacts", "plugins") }
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .ToArray();
        Assert.True(pluginFolders.Length >= 5, $"expected the test plugins under {Root}");
        foreach (var folder in pluginFolders)
        {
            Assert.False(File.Exists(Path.Combine(folder, "KpLab.Abstractions.dll")), $"{folder} holds KpLab.Abstractions.dll");
            Assert.False(File.Exists(Path.Combine(folder, "KpLab.Kernels.dll")), $"{folder} holds KpLab.Kernels.dll");
        }
    }

    private static Version? ReferencedVersion(string assemblyPath, string name)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h))
            .Single(r => metadata.GetString(r.Name) == name).Version;
    }
}
