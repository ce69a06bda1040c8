using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace PosterGenre.Api.Observability;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog to the console: readable text by default, compact JSON (one object per line) when
    /// configuration sets <c>LogFormat</c> to <c>json</c>, as containers want.
    /// </summary>
    public static WebApplicationBuilder AddPosterGenreLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration["LogFormat"] ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new InvalidOperationException($"LogFormat '{format}' is not 'text' or 'json'.");
        }

        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .Enrich.FromLogContext();
            if (format == "json")
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {RequestId} {Message:lj}{NewLine}{Exception}");
            }
        });
        return builder;
    }

    /// <summary>One structured line per request: method, path, status, elapsed, model and number of files.</summary>
    public static WebApplication UsePosterGenreRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms (model {Model}, {Files} files)";
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics") ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });

        // Defaults for requests that name no model or files; the prediction endpoint overwrites them.
        app.Use((context, next) =>
        {
            var diagnostics = context.RequestServices.GetRequiredService<IDiagnosticContext>();
            diagnostics.Set("Model", "-");
            diagnostics.Set("Files", 0);
            return next(context);
        });
        return app;
    }
}
