using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KpLab.Plugins.Onnx;

/// <summary>
/// One loaded model on ONNX Runtime's managed API: its declared inputs and outputs, and <see cref="Run"/> for a batch
/// of token ids. Inputs are fed from caller arrays without copying; the output is read in place and handed to a
/// callback before it is released. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one session is shared through the model cache by every embedder of the same model.
/// </summary>
internal sealed class OnnxSession : IDisposable
{
    /// <summary>The model inputs this session can feed, all int64 [batch, sequence].</summary>
    public static readonly IReadOnlyList<string> KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly InferenceSession _session;
    private readonly string[] _outputNames;

    /// <summary>Receives a [batch, sequence, hidden] float tensor that lives only during the call.</summary>
    public delegate void OutputReader(ReadOnlySpan<float> values, int batch, int sequence, int hidden);

    public OnnxSession(string modelPath, int threads, string? outputName)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"onnx: ONNX Runtime failed to load the model '{modelPath}': {e.Message}", e);
        }

        try
        {
            var inputs = _session.InputNames.ToArray();
            var unexpected = inputs.Where(name => !KnownInputs.Contains(name)).ToArray();
            if (unexpected.Length > 0)
                throw new NotSupportedException(
                    $"onnx: the model '{modelPath}' declares input(s) {string.Join(", ", unexpected.Select(n => $"'{n}'"))} that a BERT-style embedder cannot feed; it feeds only {string.Join(", ", KnownInputs)}.");
            if (!inputs.Contains("input_ids"))
                throw new NotSupportedException($"onnx: the model '{modelPath}' has no 'input_ids' input.");
            Inputs = inputs;

            var outputs = _session.OutputNames;
            var chosen = outputName ?? outputs.FirstOrDefault();
            if (chosen is null || !outputs.Contains(chosen))
                throw new ArgumentException(
                    $"onnx: the model '{modelPath}' has no output '{outputName}'; its outputs are {string.Join(", ", outputs)}.");
            OutputName = chosen;
            _outputNames = [chosen];
            var declared = _session.OutputMetadata[chosen];
            if (!declared.IsTensor || declared.ElementDataType != TensorElementType.Float || declared.Dimensions.Length != 3)
                throw new NotSupportedException(
                    $"onnx: output '{OutputName}' of '{modelPath}' must be float [batch, sequence, hidden] token states, got {declared.ElementDataType} with rank {declared.Dimensions.Length}.");
            DeclaredHidden = declared.Dimensions[2] > 0 ? declared.Dimensions[2] : 0;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The inputs the model declares, in its order.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The output read.</summary>
    public string OutputName { get; }

    /// <summary>The hidden size the model declares for that output, or 0 when symbolic.</summary>
    public int DeclaredHidden { get; }

    /// <summary>
    /// Runs one batch: the id, mask and type arrays hold at least batch × sequence values (row-major);
    /// <paramref name="read"/> sees the output before it is released.
    /// </summary>
    public void Run(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int batch, int sequence, OutputReader read)
    {
        var count = batch * sequence;
        long[] shape = [batch, sequence];
        var values = new OrtValue[Inputs.Count];
        try
        {
            for (var i = 0; i < Inputs.Count; i++)
            {
                var source = Inputs[i] switch
                {
                    "input_ids" => inputIds,
                    "attention_mask" => attentionMask,
                    _ => tokenTypeIds,
                };
                // Wraps (pins) the caller's memory: no copy.
                values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, source.AsMemory(0, count), shape);
            }

            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, Inputs.ToArray(), values, _outputNames);
            var output = outputs[0];
            var info = output.GetTensorTypeAndShape();
            var dims = info.Shape;
            if (info.ElementDataType != TensorElementType.Float || dims.Length != 3 || dims[0] != batch || dims[1] != sequence)
                throw new InvalidOperationException(
                    $"onnx: output '{OutputName}' has shape [{string.Join(", ", dims)}] ({info.ElementDataType}); expected float [{batch}, {sequence}, hidden].");
            var hidden = checked((int)dims[2]);
            read(output.GetTensorDataAsSpan<float>()[..checked(batch * sequence * hidden)], batch, sequence, hidden);
        }
        finally
        {
            foreach (var value in values) value?.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
