using System.Runtime.CompilerServices;
using KpLab.Abstractions;

namespace KpLab.Scripting;

/// <summary>Fitted clusterers saved and loaded with the identity the run record gives them.</summary>
public sealed partial class Lab
{
    // Each model a clusterer of this run fitted, with what produced it (plugin, version, options, data).
    private readonly ConditionalWeakTable<IClusterModel, ClusterModelIdentity> _modelIdentities = new();

    /// <summary>
    /// Writes <paramref name="model"/>, fitted in this run by a clusterer from <see cref="Clusterer"/> (its
    /// <see cref="IPredictingClusterer.FitModel"/>), to <paramref name="path"/> in the run folder as a KpLab model file
    /// that carries the plugin's name and version, the hash of its options and the hash of the data it was fitted on.
    /// </summary>
    /// <exception cref="ArgumentException">The model was not fitted by a clusterer of this run, or the path leads outside the run folder.</exception>
    public void SaveModel(string path, IClusterModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var full = RunFolderPath(path, "Lab.SaveModel");
        if (!_modelIdentities.TryGetValue(model, out var identity))
            throw new ArgumentException("Lab.SaveModel: this model was not fitted by a clusterer of this run " +
                "(fit it with Lab.Clusterer(name, options) as IPredictingClusterer, then FitModel(data)).", nameof(model));
        ClusterModelFile.Save(full, identity, model);
        Record(() => AddOutput(full));
    }

    /// <summary>
    /// Loads a model file (path relative to the script) through <paramref name="clusterer"/>, a clusterer of this run
    /// created with the same plugin and options as the one that fitted it: the file's plugin name, version and options
    /// hash must equal this clusterer's, and, when <paramref name="fittedOn"/> is given, its data hash that matrix's.
    /// The file's hash goes into the run record's inputs.
    /// </summary>
    /// <exception cref="ArgumentException">The clusterer cannot predict, or was not created by this run.</exception>
    /// <exception cref="InvalidDataException">The file is damaged or was produced otherwise (the message names what differs).</exception>
    public IClusterModel LoadModel(string path, IClusterer clusterer, EmbeddingMatrix? fittedOn = null)
    {
        ArgumentNullException.ThrowIfNull(clusterer);
        if (clusterer is not TrackedPredictingClusterer tracked)
            throw new ArgumentException(clusterer is IPredictingClusterer
                ? "Lab.LoadModel: give a clusterer created by Lab.Clusterer(name, options), so that its identity is known."
                : "Lab.LoadModel: this clusterer cannot predict new rows, so it has no model files.", nameof(clusterer));
        var full = Path(path);
        var expected = tracked.IdentityFor(fittedOn);
        var model = ClusterModelFile.Load(full, tracked, expected);
        _modelIdentities.AddOrUpdate(model, ClusterModelFile.ReadIdentity(full));
        Record(() => _record.Inputs.Add(new InputFile(full, ContentHash.OfFile(full))));
        return model;
    }

    private IClusterer Track(IClusterer inner, PluginUse use, string name) => inner is IPredictingClusterer predicting
        ? new TrackedPredictingClusterer(predicting, _calls, name, use, _modelIdentities)
        : new TrackedClusterer(inner, _calls, name);

    /// <summary>A clusterer that can predict, whose calls are tracked and whose models remember their identity.</summary>
    private sealed class TrackedPredictingClusterer(IPredictingClusterer inner, PluginCalls calls, string name, PluginUse use,
        ConditionalWeakTable<IClusterModel, ClusterModelIdentity> identities) : IPredictingClusterer
    {
        private readonly string _fit = PluginCallName(PluginKind.Clusterer, name, nameof(Fit));
        private readonly string _fitModel = PluginCallName(PluginKind.Clusterer, name, nameof(FitModel));
        private readonly string _readModel = PluginCallName(PluginKind.Clusterer, name, nameof(ReadModel));

        public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
            calls.Run(_fit, () => inner.Fit(data, cancellationToken));

        public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default)
        {
            var model = calls.Run(_fitModel, () => inner.FitModel(data, cancellationToken));
            identities.AddOrUpdate(model, IdentityFor(data));
            return model;
        }

        public IClusterModel ReadModel(BinaryReader reader) => calls.Run(_readModel, () => inner.ReadModel(reader));

        /// <summary>This clusterer's identity, with the hash of <paramref name="data"/> or an empty data hash.</summary>
        public ClusterModelIdentity IdentityFor(EmbeddingMatrix? data) => new(use.Name, use.Version,
            ClusterModelIdentity.HashOptions(use.Options as PluginOptions ?? new NoOptions()),
            data is null ? "" : ClusterModelIdentity.HashData(data));
    }
}
