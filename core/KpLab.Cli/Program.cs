using KpLab.Cli;
using KpLab.Scripting;

return await new KplabApp(folders => CatalogPluginSource.LoadDefault(folders)).InvokeAsync(args);
