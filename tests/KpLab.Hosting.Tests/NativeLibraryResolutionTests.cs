using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using static KpLab.Hosting.Tests.TestPluginFolders;

namespace KpLab.Hosting.Tests;

public sealed class NativeLibraryResolutionTests
{
    [Fact]
    public void Native_libraries_resolve_from_the_plugin_folder_through_its_deps_json()
    {
        using var scratch = new ScratchFolder();
        var folder = CopyTo(Basic, scratch.Path);
        // A real native library of this platform, renamed, stands in for a plugin's native dependency.
        var runtimeNative = Directory.EnumerateFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*System.Native*").First();
        var fileName = Path.GetFileName(runtimeNative).Replace("System.Native", "kplabtestnative", StringComparison.Ordinal);
        File.Copy(runtimeNative, Path.Combine(folder, fileName));
        DepsJson.AddAsset(Path.Combine(folder, Basic + ".deps.json"), Basic, "native", fileName);

        using var loader = PluginLoaders.Create(Path.Combine(folder, Basic + ".dll"));
        var context = loader.LoadContext;
        Assert.True(context.IsCollectible);
        var loadUnmanaged = typeof(AssemblyLoadContext).GetMethod("LoadUnmanagedDll", BindingFlags.Instance | BindingFlags.NonPublic)!;
        Assert.NotEqual(IntPtr.Zero, (IntPtr)loadUnmanaged.Invoke(context, ["kplabtestnative"])!);
        // The library mapped into the process is the plugin folder's copy, found through its .deps.json.
        if (OperatingSystem.IsLinux()) Assert.Contains(Path.Combine(folder, fileName), File.ReadAllText("/proc/self/maps"));
    }
}
