using System.Runtime.InteropServices;

namespace KpLab.Plugins.Onnx.Native;

/// <summary>
/// One loaded model: its declared inputs and outputs, and <see cref="Run"/> for a batch of token ids. Inputs are
/// fed from caller arrays without copying; the output is read in place and handed to a callback before release.
/// </summary>
internal sealed unsafe class OnnxSession : IDisposable
{
    /// <summary>The model inputs this session can feed, all int64 [batch, sequence].</summary>
    public static readonly IReadOnlyList<string> KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly OrtRuntime _runtime;
    private nint _session;
    private nint _memoryInfo;
    private nint[]? _inputNames;
    private nint _outputName;

    /// <summary>Receives a [batch, sequence, hidden] float tensor that lives only during the call.</summary>
    public delegate void OutputReader(ReadOnlySpan<float> values, int batch, int sequence, int hidden);

    public OnnxSession(OrtRuntime runtime, string modelPath, int threads, string? outputName)
    {
        _runtime = runtime;
        var options = runtime.CreateSessionOptions();
        try
        {
            runtime.SetIntraOpNumThreads(options, threads);
            runtime.SetInterOpNumThreads(options, 1);
            runtime.EnableAllGraphOptimizations(options);
            _session = runtime.CreateSession(modelPath, options);
        }
        finally
        {
            runtime.ReleaseSessionOptions(options);
        }

        try
        {
            var inputs = Enumerable.Range(0, runtime.InputCount(_session)).Select(i => runtime.InputName(_session, i)).ToArray();
            var unexpected = inputs.Where(name => !KnownInputs.Contains(name)).ToArray();
            if (unexpected.Length > 0)
                throw new NotSupportedException(
                    $"onnx: the model '{modelPath}' declares input(s) {string.Join(", ", unexpected.Select(n => $"'{n}'"))} that a BERT-style embedder cannot feed; it feeds only {string.Join(", ", KnownInputs)}.");
            if (!inputs.Contains("input_ids"))
                throw new NotSupportedException($"onnx: the model '{modelPath}' has no 'input_ids' input.");
            Inputs = inputs;

            var outputs = Enumerable.Range(0, runtime.OutputCount(_session)).Select(i => runtime.OutputName(_session, i)).ToArray();
            var outputIndex = outputName is null ? 0 : Array.IndexOf(outputs, outputName);
            if (outputIndex < 0 || outputs.Length == 0)
                throw new ArgumentException(
                    $"onnx: the model '{modelPath}' has no output '{outputName}'; its outputs are {string.Join(", ", outputs)}.");
            OutputName = outputs[outputIndex];
            var (elementType, dims) = runtime.OutputDeclaration(_session, outputIndex);
            if (elementType != OrtRuntime.ElementTypeFloat || dims.Length != 3)
                throw new NotSupportedException(
                    $"onnx: output '{OutputName}' of '{modelPath}' must be float [batch, sequence, hidden] token states, got element type {elementType} with rank {dims.Length}.");
            DeclaredHidden = dims[2] > 0 ? (int)dims[2] : 0;

            _memoryInfo = runtime.CreateCpuMemoryInfo();
            _inputNames = inputs.Select(OrtRuntime.Utf8).ToArray();
            _outputName = OrtRuntime.Utf8(OutputName);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The inputs the model declares, in its order.</summary>
    public IReadOnlyList<string> Inputs { get; } = [];

    /// <summary>The output read.</summary>
    public string OutputName { get; } = "";

    /// <summary>The hidden size the model declares for that output, or 0 when symbolic.</summary>
    public int DeclaredHidden { get; }

    /// <summary>
    /// Runs one batch. The id, mask and type arrays must be pinned (allocated with <c>pinned: true</c>) and hold at
    /// least batch × sequence values; <paramref name="read"/> sees the output before it is released.
    /// </summary>
    public void Run(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int batch, int sequence, OutputReader read)
    {
        ObjectDisposedException.ThrowIf(_session == 0 || _inputNames is null, this);
        var count = (long)batch * sequence;
        ReadOnlySpan<long> shape = [batch, sequence];
        var values = stackalloc nint[Inputs.Count];
        var outputs = stackalloc nint[1];
        outputs[0] = 0;
        var created = 0;
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
                // Pinned-heap arrays do not move, so the address stays valid until the value is released.
                var data = (long*)Marshal.UnsafeAddrOfPinnedArrayElement(source, 0);
                values[i] = _runtime.CreateTensor(_memoryInfo, data, count * sizeof(long), shape, OrtRuntime.ElementTypeInt64);
                created++;
            }

            fixed (nint* names = _inputNames)
            {
                var outputName = _outputName;
                _runtime.Run(_session, names, values, _inputNames.Length, &outputName, outputs, 1);
            }

            var (elementType, dims) = _runtime.TensorShape(outputs[0]);
            if (elementType != OrtRuntime.ElementTypeFloat || dims.Length != 3 || dims[0] != batch || dims[1] != sequence)
                throw new InvalidOperationException(
                    $"onnx: output '{OutputName}' has shape [{string.Join(", ", dims)}] (type {elementType}); expected float [{batch}, {sequence}, hidden].");
            var hidden = checked((int)dims[2]);
            var data32 = (float*)_runtime.TensorData(outputs[0]);
            read(new ReadOnlySpan<float>(data32, checked(batch * sequence * hidden)), batch, sequence, hidden);
        }
        finally
        {
            if (outputs[0] != 0) _runtime.ReleaseValue(outputs[0]);
            for (var i = 0; i < created; i++) _runtime.ReleaseValue(values[i]);
        }
    }

    public void Dispose()
    {
        ReleaseNative();
        GC.SuppressFinalize(this);
    }

    ~OnnxSession() => ReleaseNative();

    private void ReleaseNative()
    {
        if (_session != 0) _runtime.ReleaseSession(_session);
        _session = 0;
        if (_memoryInfo != 0) _runtime.ReleaseMemoryInfo(_memoryInfo);
        _memoryInfo = 0;
        if (_inputNames is not null)
            foreach (var name in _inputNames) Marshal.FreeCoTaskMem(name);
        _inputNames = null;
        if (_outputName != 0) Marshal.FreeCoTaskMem(_outputName);
        _outputName = 0;
    }
}
