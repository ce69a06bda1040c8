using Npgsql;
using Xunit;

namespace PosterGenre.Tests;

/// <summary>The PostgreSQL server of the tests: POSTERGENRE_TEST_POSTGRES, which scripts/test.sh sets (compiled into each test project that needs it).</summary>
public static class TestPostgres
{
    public const string Variable = "POSTERGENRE_TEST_POSTGRES";

    /// <summary>A connection string whose search path is a new, empty schema.</summary>
    public static string NewSchema()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(server),
            $"{Variable} is not set: the PostgreSQL tests need a server with pgvector (scripts/test.sh starts one; by hand: export {Variable}=$(bash scripts/start-postgres.sh)).");
        var schema = $"test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            command.ExecuteNonQuery();
        }

        // pgvector's type lives in the schema where the extension was made (public), so it stays on the path.
        return new NpgsqlConnectionStringBuilder(server) { SearchPath = $"{schema},public" }.ConnectionString;
    }
}
