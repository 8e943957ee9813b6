namespace KpLab.Plugins.Onnx.Native;

/// <summary>An ONNX Runtime call failed; the message carries the runtime's own explanation.</summary>
public sealed class OnnxRuntimeException(string message, int errorCode) : Exception(message)
{
    /// <summary>The runtime's OrtErrorCode (1 fail, 2 invalid argument, 3 no such file, 7 invalid protobuf, ...).</summary>
    public int ErrorCode { get; } = errorCode;
}
