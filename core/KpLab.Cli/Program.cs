using KpLab.Abstractions;
using KpLab.Cli;
using KpLab.Scripting;

return await new KplabApp(folders => CatalogPluginSource.LoadDefault(folders))
{
    Models = ModelFetcher.Locate(AppContext.BaseDirectory, PluginContext.DefaultCacheDirectory()),
}.InvokeAsync(args);
