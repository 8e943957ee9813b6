using System.Globalization;
using KpLab.Abstractions;
using KpLab.Cli;
using KpLab.Scripting;

// ICU is on for Unicode normalisation, not for locale-dependent formatting: tables, logs and a script's own
// interpolated numbers read the same on every machine, whatever its LANG.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

return await new KplabApp(folders => CatalogPluginSource.LoadDefault(folders))
{
    Models = ModelFetcher.Locate(AppContext.BaseDirectory, PluginContext.DefaultCacheDirectory()),
}.InvokeAsync(args);
