using System.Reflection;

namespace KpLab.TestPlugins.SharedDep;

/// <summary>A library that two test plugins ship in different versions.</summary>
public static class SharedDependency
{
    /// <summary>The assembly version of the copy that was actually loaded.</summary>
    public static string LoadedVersion => typeof(SharedDependency).Assembly.GetName().Version!.ToString();
}
