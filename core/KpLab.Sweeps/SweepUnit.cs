using KpLab.Data;

namespace KpLab.Sweeps;

/// <summary>
/// A unit of analysis: one subset of a dataset (e.g. the answers to one question) that every trial clusters and scores
/// on its own. Its content hash (the subset's items) enters every trial id, so changed data never reuses a stored trial.
/// </summary>
public sealed class SweepUnit
{
    /// <summary>Wraps <paramref name="data"/>; the id is the items' common group, else the dataset's name.</summary>
    public SweepUnit(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException($"Sweep unit '{data.Name}' has no items.", nameof(data));
        Data = data;
        var group = data.Items[0].Group;
        Id = group is not null && data.Items.All(i => i.Group == group) ? group : data.Name;
        LabelNames = data.LabelNames;
        // The quality order restricted to the labels present: metrics that compare labels by quality need every
        // listed label to occur.
        QualityOrder = data.QualityOrder.Count == 0 ? null : data.QualityOrder.Where(LabelNames.Contains).ToArray();
    }

    /// <summary>The unit's id in result rows (e.g. the question id).</summary>
    public string Id { get; }

    /// <summary>SHA-256 of the unit's items.</summary>
    public string ContentHash => Data.ContentHash;

    /// <summary>The items.</summary>
    public Dataset Data { get; }

    /// <summary>Number of items.</summary>
    public int Count => Data.Count;

    /// <summary>The distinct expert labels, sorted ordinally.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The dataset's quality order restricted to this unit's labels, or null when the dataset declares none.</summary>
    public IReadOnlyList<string>? QualityOrder { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Count} items)";
}
