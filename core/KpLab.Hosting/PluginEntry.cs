namespace KpLab.Hosting;

/// <summary>A plugin found in metadata: its public description and the type the host loads when a script creates it.</summary>
/// <param name="Descriptor">What <c>kplab plugins</c> shows.</param>
/// <param name="TypeName">The plugin class's full name in its assembly.</param>
internal sealed record PluginEntry(PluginDescriptor Descriptor, string TypeName);
