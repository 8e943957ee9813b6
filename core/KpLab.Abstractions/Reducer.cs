namespace KpLab.Abstractions;

/// <summary>
/// Maps vectors to fewer dimensions (PCA, UMAP): fitted once on a matrix, the fitted model then places new rows in the
/// same space. The reducer itself holds only its options; everything learnt lives in the <see cref="IReducerModel"/>
/// that <see cref="Fit"/> returns, so one reducer can be fitted on many matrices.
/// </summary>
public interface IReducer
{
    /// <summary>
    /// What makes this reducer's output what it is, used as the cache key together with the input's content and the
    /// run seed: the algorithm, its version where it changes results, and every option that changes the vectors. Two
    /// reducers with equal identities and seeds must give equal vectors for equal inputs.
    /// </summary>
    string Identity { get; }

    /// <summary>The number of columns of the reduced vectors.</summary>
    int OutputDimension { get; }

    /// <summary>Fits the reducer on the rows of <paramref name="data"/>.</summary>
    /// <param name="data">The rows to fit on (n × d, finite).</param>
    /// <param name="cancellationToken">Stops a long fit between steps.</param>
    /// <exception cref="ArgumentException">The data cannot be reduced with these options (the message says why, naming the row for non-finite values).</exception>
    IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default);
}

/// <summary>A fitted reducer: the reduced training rows, and a map for new rows of the same dimension.</summary>
public interface IReducerModel
{
    /// <summary>The number of columns the model was fitted on; <see cref="Transform"/> takes rows of this length.</summary>
    int InputDimension { get; }

    /// <summary>The number of columns of the reduced vectors.</summary>
    int OutputDimension { get; }

    /// <summary>
    /// The reduced vectors of the rows the model was fitted on, in their order (n × <see cref="OutputDimension"/>). For a
    /// linear map this equals <c>Transform(data)</c>; for a layout (UMAP) it is the optimised layout, which transforming
    /// the same rows again only approximates.
    /// </summary>
    EmbeddingMatrix Embedding { get; }

    /// <summary>Places new rows in the reduced space, one output row per input row in order.</summary>
    /// <param name="data">Rows of <see cref="InputDimension"/> columns, finite.</param>
    /// <param name="cancellationToken">Stops a long transform between steps.</param>
    /// <exception cref="ArgumentException">The rows have another dimension or hold a non-finite value (the row is named).</exception>
    EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default);
}
