using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace KpLab.Plugins.Onnx.Native;

/// <summary>
/// ONNX Runtime's C API, loaded from one shared library: <c>OrtGetApiBase()->GetApi(version)</c> gives the
/// <c>OrtApi</c> struct, a table of function pointers whose slot order is fixed by onnxruntime_c_api.h (members are
/// only ever appended, so the slots below hold for every runtime that serves <see cref="ApiVersion"/>). One instance
/// and one <c>OrtEnv</c> per library path for the life of the process, as ONNX Runtime recommends.
/// </summary>
internal sealed unsafe class OrtRuntime
{
    /// <summary>The API version requested: ONNX Runtime 1.16 or newer serves it; every slot used here dates from 1.</summary>
    public const uint ApiVersion = 16;

    public const int ElementTypeFloat = 1;
    public const int ElementTypeInt64 = 7;
    private const int LoggingLevelError = 3;
    private const int GraphOptimizationAll = 99;

    // Slot indices in struct OrtApi (onnxruntime_c_api.h, counted from CreateStatus = 0).
    private const int SlotGetErrorCode = 1, SlotGetErrorMessage = 2, SlotCreateEnv = 3, SlotCreateSession = 7,
        SlotRun = 9, SlotCreateSessionOptions = 10, SlotSetSessionGraphOptimizationLevel = 23,
        SlotSetIntraOpNumThreads = 24, SlotSetInterOpNumThreads = 25, SlotSessionGetInputCount = 30,
        SlotSessionGetOutputCount = 31, SlotSessionGetOutputTypeInfo = 34, SlotSessionGetInputName = 36,
        SlotSessionGetOutputName = 37, SlotCreateTensorWithDataAsOrtValue = 49, SlotGetTensorMutableData = 51,
        SlotCastTypeInfoToTensorInfo = 55, SlotGetTensorElementType = 60, SlotGetDimensionsCount = 61,
        SlotGetDimensions = 62, SlotGetTensorTypeAndShape = 65, SlotCreateCpuMemoryInfo = 69, SlotAllocatorFree = 76,
        SlotGetAllocatorWithDefaultOptions = 78, SlotReleaseStatus = 93,
        SlotReleaseMemoryInfo = 94, SlotReleaseSession = 95, SlotReleaseValue = 96, SlotReleaseTypeInfo = 98,
        SlotReleaseTensorTypeAndShapeInfo = 99, SlotReleaseSessionOptions = 100;

    private static readonly ConcurrentDictionary<string, Lazy<OrtRuntime>> Loaded = new(StringComparer.Ordinal);

    private readonly nint* _api;

    private OrtRuntime(string libraryPath)
    {
        LibraryPath = libraryPath;
        var library = NativeLibrary.Load(libraryPath);
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
            throw new InvalidOperationException(
                $"onnx: '{libraryPath}' is not an ONNX Runtime library (it exports no OrtGetApiBase).");
        var apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
        var getApi = (delegate* unmanaged[Cdecl]<uint, nint*>)apiBase[0];
        var getVersion = (delegate* unmanaged[Cdecl]<nint>)apiBase[1];
        Version = Marshal.PtrToStringUTF8(getVersion()) ?? "?";
        _api = getApi(ApiVersion);
        if (_api == null)
            throw new InvalidOperationException(
                $"onnx: the ONNX Runtime at '{libraryPath}' (version {Version}) does not serve C API version {ApiVersion}; use ONNX Runtime 1.16 or newer.");
        nint env;
        Check(((delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)_api[SlotCreateEnv])(
            LoggingLevelError, (byte*)Utf8("kplab"), &env), "creating the ONNX Runtime environment");
        Env = env;
        nint allocator;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_api[SlotGetAllocatorWithDefaultOptions])(&allocator),
            "getting the default allocator");
        DefaultAllocator = allocator;
    }

    /// <summary>The library this runtime was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>The runtime's version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    /// <summary>The process-wide environment (never released: sessions may outlive any one embedder).</summary>
    public nint Env { get; }

    /// <summary>ONNX Runtime's default CPU allocator (owned by the runtime; never freed).</summary>
    public nint DefaultAllocator { get; }

    /// <summary>Loads (once per path) the runtime at <paramref name="libraryPath"/>, a full path.</summary>
    public static OrtRuntime Load(string libraryPath)
    {
        var lazy = Loaded.GetOrAdd(libraryPath, path => new Lazy<OrtRuntime>(() => new OrtRuntime(path)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<OrtRuntime>>(libraryPath, lazy));
            throw;
        }
    }

    /// <summary>Throws <see cref="OnnxRuntimeException"/> for a non-null OrtStatus, after copying its message and
    /// releasing it.</summary>
    public void Check(nint status, string doing)
    {
        if (status == 0) return;
        var code = ((delegate* unmanaged[Cdecl]<nint, int>)_api[SlotGetErrorCode])(status);
        // The message belongs to the status: copy it before ReleaseStatus frees it.
        var message = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint, nint>)_api[SlotGetErrorMessage])(status));
        ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseStatus])(status);
        throw new OnnxRuntimeException($"onnx: ONNX Runtime failed {doing}: {message}", code);
    }

    /// <summary>A null-terminated UTF-8 copy of <paramref name="text"/> in unmanaged memory; free with
    /// <see cref="Marshal.FreeCoTaskMem"/>.</summary>
    public static nint Utf8(string text) => Marshal.StringToCoTaskMemUTF8(text);

    public nint CreateSessionOptions()
    {
        nint options;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_api[SlotCreateSessionOptions])(&options), "creating session options");
        return options;
    }

    public void SetIntraOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[SlotSetIntraOpNumThreads])(options, threads), "setting intra-op threads");

    public void SetInterOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[SlotSetInterOpNumThreads])(options, threads), "setting inter-op threads");

    public void EnableAllGraphOptimizations(nint options) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_api[SlotSetSessionGraphOptimizationLevel])(options, GraphOptimizationAll),
            "setting the graph optimisation level");

    public void ReleaseSessionOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseSessionOptions])(options);

    /// <summary>Creates a session from a model file (on Linux ORTCHAR_T is char: the path goes as UTF-8).</summary>
    public nint CreateSession(string modelPath, nint options)
    {
        var path = Utf8(modelPath);
        try
        {
            nint session;
            Check(((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)_api[SlotCreateSession])(Env, (byte*)path, options, &session),
                $"to load the model '{modelPath}'");
            return session;
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
        }
    }

    public void ReleaseSession(nint session) => ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseSession])(session);

    public int InputCount(nint session)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_api[SlotSessionGetInputCount])(session, &count), "reading the input count");
        return checked((int)count);
    }

    public int OutputCount(nint session)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_api[SlotSessionGetOutputCount])(session, &count), "reading the output count");
        return checked((int)count);
    }

    public string InputName(nint session, int index) => Name(session, index, SlotSessionGetInputName, "an input name");

    public string OutputName(nint session, int index) => Name(session, index, SlotSessionGetOutputName, "an output name");

    private string Name(nint session, int index, int slot, string what)
    {
        nint name;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint, nint, nint*, nint>)_api[slot])(session, (nuint)index, DefaultAllocator, &name), $"reading {what}");
        try
        {
            return Marshal.PtrToStringUTF8(name) ?? "";
        }
        finally
        {
            Check(((delegate* unmanaged[Cdecl]<nint, nint, nint>)_api[SlotAllocatorFree])(DefaultAllocator, name), "freeing a name");
        }
    }

    /// <summary>The declared element type and dimensions (-1 where symbolic) of output <paramref name="index"/>.</summary>
    public (int ElementType, long[] Dimensions) OutputDeclaration(nint session, int index)
    {
        nint typeInfo;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_api[SlotSessionGetOutputTypeInfo])(session, (nuint)index, &typeInfo), "reading an output's type");
        try
        {
            nint tensorInfo; // owned by typeInfo
            Check(((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_api[SlotCastTypeInfoToTensorInfo])(typeInfo, &tensorInfo), "reading an output's tensor type");
            if (tensorInfo == 0) return (0, []);
            return (ElementType(tensorInfo), Dimensions(tensorInfo));
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseTypeInfo])(typeInfo);
        }
    }

    public nint CreateCpuMemoryInfo()
    {
        nint info;
        // OrtDeviceAllocator (0), OrtMemTypeDefault (0).
        Check(((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)_api[SlotCreateCpuMemoryInfo])(0, 0, &info), "creating CPU memory info");
        return info;
    }

    public void ReleaseMemoryInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseMemoryInfo])(info);

    /// <summary>Wraps caller memory as a tensor without copying: the memory must stay pinned until
    /// <see cref="ReleaseValue"/>.</summary>
    public nint CreateTensor(nint memoryInfo, void* data, long bytes, ReadOnlySpan<long> shape, int elementType)
    {
        nint value;
        fixed (long* dims = shape)
            Check(((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)_api[SlotCreateTensorWithDataAsOrtValue])(
                memoryInfo, data, (nuint)bytes, dims, (nuint)shape.Length, elementType, &value), "creating an input tensor");
        return value;
    }

    public void ReleaseValue(nint value) => ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseValue])(value);

    public void Run(nint session, nint* inputNames, nint* inputs, int inputCount, nint* outputNames, nint* outputs, int outputCount) =>
        Check(((delegate* unmanaged[Cdecl]<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)_api[SlotRun])(
            session, 0, inputNames, inputs, (nuint)inputCount, outputNames, (nuint)outputCount, outputs), "running the model");

    public void* TensorData(nint value)
    {
        void* data;
        Check(((delegate* unmanaged[Cdecl]<nint, void**, nint>)_api[SlotGetTensorMutableData])(value, &data), "reading an output tensor");
        return data;
    }

    /// <summary>The element type and dimensions of a tensor value.</summary>
    public (int ElementType, long[] Dimensions) TensorShape(nint value)
    {
        nint info;
        Check(((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_api[SlotGetTensorTypeAndShape])(value, &info), "reading an output's shape");
        try
        {
            return (ElementType(info), Dimensions(info));
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)_api[SlotReleaseTensorTypeAndShapeInfo])(info);
        }
    }

    private int ElementType(nint tensorInfo)
    {
        int type;
        Check(((delegate* unmanaged[Cdecl]<nint, int*, nint>)_api[SlotGetTensorElementType])(tensorInfo, &type), "reading an element type");
        return type;
    }

    private long[] Dimensions(nint tensorInfo)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_api[SlotGetDimensionsCount])(tensorInfo, &count), "reading a rank");
        var dims = new long[(int)count];
        fixed (long* p = dims)
            Check(((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)_api[SlotGetDimensions])(tensorInfo, p, count), "reading dimensions");
        return dims;
    }
}
