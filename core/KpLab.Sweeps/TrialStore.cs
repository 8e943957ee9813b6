using System.Text.Json;
using System.Text.Json.Serialization;
using KpLab.Data;

namespace KpLab.Sweeps;

/// <summary>
/// The finished trials of a run: one JSON file per trial (<c>trials/&lt;id&gt;.json</c> in the run folder), written
/// atomically once the trial has finished, holding its values and partition. A run resumed in the same folder reads
/// them back instead of recomputing; a file that cannot be read (never the case for an atomic write, but a hand-edited
/// one) is recomputed and said so.
/// </summary>
public sealed class TrialStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A store in <paramref name="directory"/> (created on first save).</summary>
    public TrialStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The store's folder.</summary>
    public string Directory { get; }

    /// <summary>The stored outcome of <paramref name="trial"/>, or null when it has not finished.</summary>
    /// <exception cref="InvalidDataException">The file exists but does not hold this trial (names the file).</exception>
    public StoredTrial? Load(Trial trial)
    {
        var path = PathOf(trial);
        if (!File.Exists(path)) return null;
        StoredTrial? stored;
        try { stored = JsonSerializer.Deserialize<StoredTrial>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"Trial store: {path} is not a trial record ({e.Message}); delete it to recompute the trial.", e); }
        if (stored is null || stored.Id != trial.Id)
            throw new InvalidDataException($"Trial store: {path} holds trial '{stored?.Id}', not '{trial.Id}'; delete it to recompute the trial.");
        return stored;
    }

    /// <summary>Stores <paramref name="outcome"/> atomically.</summary>
    public void Save(StoredTrial outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(Path.Combine(Directory, outcome.Id + ".json"), JsonSerializer.Serialize(outcome, Json));
    }

    /// <summary>The ids of every stored trial.</summary>
    public IReadOnlyList<string> StoredIds() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray()
            : [];

    private string PathOf(Trial trial) => Path.Combine(Directory, trial.Id + ".json");
}

/// <summary>What the store keeps of a finished trial.</summary>
/// <param name="Id">The trial id.</param>
/// <param name="Values">Its numbers, in the order the trial produced them.</param>
/// <param name="Partition">The partition's labels (-1 noise), or null for a unit-metrics trial.</param>
public sealed record StoredTrial(string Id, IReadOnlyList<TrialValue> Values, int[]? Partition);
