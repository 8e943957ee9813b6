using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace KpLab.Scripting;

/// <summary>
/// Maps stack frames of a compiled script to script lines through its portable PDB. The runtime's own lookup does not
/// see symbols of assemblies loaded from memory in every setting, so the host reads them itself.
/// </summary>
internal sealed class ScriptSymbols(byte[] portablePdb)
{
    private readonly MetadataReaderProvider _provider = MetadataReaderProvider.FromPortablePdbImage(
        System.Collections.Immutable.ImmutableArray.Create(portablePdb));

    /// <summary>
    /// "file:line" of the innermost frame of <paramref name="exception"/> (or its inner exceptions) in
    /// <paramref name="assembly"/>, or null, also when the symbols cannot be read: a damaged PDB must never replace
    /// the script's own error with the symbol reader's.
    /// </summary>
    public string? Locate(Exception exception, Assembly assembly)
    {
        try
        {
            return Search(exception, assembly);
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private string? Search(Exception exception, Assembly assembly)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            foreach (var frame in new StackTrace(e, fNeedFileInfo: false).GetFrames())
            {
                var method = frame.GetMethod();
                if (method?.Module.Assembly != assembly || frame.GetILOffset() == StackFrame.OFFSET_UNKNOWN) continue;
                if (Find(method.MetadataToken, frame.GetILOffset()) is { } location) return location;
            }
        return null;
    }

    private string? Find(int methodToken, int ilOffset)
    {
        var reader = _provider.GetMetadataReader();
        var handle = MetadataTokens.MethodDefinitionHandle(methodToken & 0x00FFFFFF);
        SequencePoint? best = null;
        foreach (var point in reader.GetMethodDebugInformation(handle).GetSequencePoints())
        {
            if (point.Offset > ilOffset) break;
            if (!point.IsHidden) best = point;
        }
        if (best is not { } found) return null;
        var file = reader.GetString(reader.GetDocument(found.Document).Name);
        return string.Create(CultureInfo.InvariantCulture, $"{file}:{found.StartLine}");
    }
}
