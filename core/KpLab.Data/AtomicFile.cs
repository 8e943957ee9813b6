namespace KpLab.Data;

/// <summary>
/// Writes files atomically: into a temporary file beside the target, flushed to disk, then renamed over it, so a
/// reader sees either the old file or the whole new one, and a failed or killed write leaves the old file intact.
/// </summary>
/// <remarks>
/// The temporary file is named <c>.&lt;name&gt;.&lt;pid&gt;@&lt;host&gt;.&lt;guid&gt;.tmp</c>: on a filesystem shared by
/// several machines (a cluster's home or scratch), the host tells a cleaner whether it can check the writer's pid.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary file, then moves it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var (full, temp) = WriteTemp(path, write);
        try { File.Move(temp, full, overwrite: true); }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> only if no file is there yet, atomically: for
    /// content-addressed entries that many processes (on many machines) may write at once. Returns false, leaving the
    /// existing file untouched, when another writer got there first.
    /// </summary>
    /// <remarks>
    /// The temporary file is published with a move that refuses to replace (a hard link on Unix, so it is atomic on
    /// local filesystems and NFS alike): of racing writers exactly one wins and readers never see a partial file.
    /// </remarks>
    public static bool WriteOnce(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path)) return false;
        var copy = bytes.ToArray();
        var (full, temp) = WriteTemp(path, s => s.Write(copy));
        try
        {
            File.Move(temp, full, overwrite: false);
            return true;
        }
        // "Already exists", even if that file is gone again by the time we look (a cache compacting it away).
        catch (IOException e) when (File.Exists(full) || e.HResult is AlreadyExistsErrno or AlreadyExistsWindows)
        {
            TryDelete(temp);
            return false;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private const int AlreadyExistsErrno = 17; // EEXIST: .NET on Unix puts the errno into HResult
    private const int AlreadyExistsWindows = unchecked((int)0x800700B7); // ERROR_ALREADY_EXISTS

    /// <summary>The temporary-file name for <paramref name="fileName"/> written by this process.</summary>
    public static string TempName(string fileName) =>
        $".{fileName}.{Environment.ProcessId}@{HostName}.{Guid.NewGuid():N}.tmp";

    /// <summary>This machine's name as temporary files carry it: letters, digits and '-' only.</summary>
    public static string HostName { get; } = SafeHostName();

    private static (string Full, string Temp) WriteTemp(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempName(Path.GetFileName(full)));
        try
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return (full, temp);
    }

    private static string SafeHostName()
    {
        var name = Environment.MachineName.Split('.')[0];
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());
        return safe.Length == 0 ? "localhost" : safe[..Math.Min(safe.Length, 63)];
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
            s.Write(bytes);
        });

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
