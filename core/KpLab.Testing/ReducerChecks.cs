using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>The reducer contract: embedding and transform shapes, determinism with a seed, identity, bad input.</summary>
internal sealed class ReducerChecks(PluginUnderTest plugin, IReducer reducer) : KindChecks(plugin)
{
    private static readonly EmbeddingMatrix Data = SyntheticData.Blobs();

    public override void Exercise(object instance) => ((IReducer)instance).Fit(Data);

    public override void Run(CheckLog log)
    {
        var (model, error) = Attempt(() => reducer.Fit(Data));
        log.Run(ConformanceChecks.ReducerShape, () => Shape(model ?? throw Failure("the sample data", error!)));
        log.Run(ConformanceChecks.ReducerIdentityStable, () =>
        {
            CheckLog.Require(!string.IsNullOrWhiteSpace(reducer.Identity), "Identity is empty; it keys the cache of reduced vectors.");
            var fresh = Fresh<IReducer>();
            CheckLog.Require(fresh.Identity == reducer.Identity,
                $"two instances with the same options have different identities (\"{reducer.Identity}\" vs \"{fresh.Identity}\").");
            return $"Identity \"{reducer.Identity}\", equal for equal options.";
        });
        if (model is null)
        {
            log.Skip("(reducer checks)", "the rest need a model fitted on the sample data.");
            return;
        }
        log.Run(ConformanceChecks.ReducerDeterministic, () =>
        {
            var probe = Data.SelectRows([0, 1, 2, 30, 59]);
            var transformed = model.Transform(probe);
            Same(model.Embedding, reducer.Fit(Data).Embedding, "fitting the same data twice with one instance");
            Same(model.Embedding, Fresh<IReducer>().Fit(Data).Embedding, $"a new instance with the same options and seed {Settings.Seed}");
            Same(transformed, model.Transform(probe), "transforming the same rows twice");
            return $"same embedding from the same instance and a new one with seed {Settings.Seed}; same transform twice.";
        });
        log.Run(ConformanceChecks.ReducerTransformErrors, () =>
        {
            var wide = EmbeddingMatrix.Create(2, Data.Columns + 1, values => values.Fill(1f));
            Refused(() => model.Transform(wide), $"rows of {Data.Columns + 1} columns for a model fitted on {Data.Columns}");
            var nan = Data.SelectRows([0, 1]).ToArray();
            nan[Data.Columns + 1] = float.NaN;
            Refused(() => model.Transform(EmbeddingMatrix.FromValues(2, Data.Columns, nan)), "a NaN in row 1");
            return "another dimension and a NaN are refused with an ArgumentException.";
        });
        log.Run(ConformanceChecks.ReducerNonFinite, () =>
            $"{NonFiniteIsRefused(Data, 5, float.NaN, data => reducer.Fit(data))}; " +
            $"{NonFiniteIsRefused(Data, 9, float.PositiveInfinity, data => reducer.Fit(data))}.");
    }

    private string Shape(IReducerModel model)
    {
        var (n, d, k) = (Data.Rows, Data.Columns, reducer.OutputDimension);
        CheckLog.Require(k >= 1, $"OutputDimension is {k}; a reducer outputs at least one column.");
        CheckLog.Require(model.InputDimension == d, $"the model's InputDimension is {model.InputDimension}, fitted on {d} columns.");
        CheckLog.Require(model.OutputDimension == k, $"the model's OutputDimension is {model.OutputDimension}, the reducer's {k}.");
        CheckLog.Require(model.Embedding.Rows == n && model.Embedding.Columns == k,
            $"{n} rows gave a {model.Embedding.Rows} x {model.Embedding.Columns} embedding, expected {n} x {k}.");
        var bad = model.Embedding.FirstNonFiniteRow();
        CheckLog.Require(bad < 0, $"row {bad} of the embedding holds NaN or an infinity.");
        var transformed = model.Transform(Data.SelectRows([3, 4, 5]));
        CheckLog.Require(transformed.Rows == 3 && transformed.Columns == k,
            $"transforming 3 rows gave {transformed.Rows} x {transformed.Columns}, expected 3 x {k}.");
        CheckLog.Require(transformed.FirstNonFiniteRow() < 0, "a transformed row holds NaN or an infinity.");
        return $"{n} x {d} -> {n} x {k} embedding of finite values; 3 new rows -> 3 x {k}.";
    }

    private static void Same(EmbeddingMatrix expected, EmbeddingMatrix actual, string what)
    {
        CheckLog.Require(expected.Rows == actual.Rows && expected.Columns == actual.Columns,
            $"{what}: {actual.Rows} x {actual.Columns}, expected {expected.Rows} x {expected.Columns}.");
        var (e, a) = (expected.ToArray(), actual.ToArray());
        int i = Enumerable.Range(0, e.Length).FirstOrDefault(index => !e[index].Equals(a[index]), -1);
        CheckLog.Require(i < 0,
            $"{what} give different vectors (first at row {i / Math.Max(1, expected.Columns)}, column {i % Math.Max(1, expected.Columns)}: {(i < 0 ? 0 : e[i])} vs {(i < 0 ? 0 : a[i])}).");
    }

    private static void Refused(Action run, string what)
    {
        try
        {
            run();
        }
        catch (ArgumentException e)
        {
            CheckLog.Require(!string.IsNullOrWhiteSpace(e.Message), $"{what}: an ArgumentException without a message.");
            return;
        }
        throw new ConformanceFailure($"{what} was accepted; it must give an ArgumentException.");
    }
}
