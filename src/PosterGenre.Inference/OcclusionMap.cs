namespace PosterGenre.Inference;

/// <summary>
/// Where in a poster the model finds a genre, by occlusion: the model's input is cut into a grid,
/// each cell in turn is painted over with the poster's mean colour, and the cell's value is how
/// much the genre's probability falls without it (negative: the genre gains without it). Needs
/// only forward passes, so it works on any exported model; costs one pass per cell.
/// </summary>
public static class OcclusionMap
{
    /// <summary>Default grid: 6 x 9 cells, square on a 2:3 poster (16 x 16 pixels at 96 x 144).</summary>
    public const int Columns = 6;

    public const int Rows = 9;

    /// <summary>
    /// For each genre index in <paramref name="genres"/>, the probability drop of each cell,
    /// row by row from the top left (<paramref name="columns"/> x <paramref name="rows"/> values).
    /// </summary>
    /// <param name="model">The model; its preprocessing gives the input size.</param>
    /// <param name="poster">The preprocessed poster (CHW, as <see cref="GenreModel.Predict"/> takes it).</param>
    /// <param name="genres">Genre indices to map.</param>
    /// <param name="columns">Grid columns.</param>
    /// <param name="rows">Grid rows.</param>
    /// <param name="batchSize">Occluded copies per inference call: bounds memory for large inputs.</param>
    public static float[][] Compute(GenreModel model, float[] poster, IReadOnlyList<int> genres, int columns = Columns, int rows = Rows, int batchSize = 14)
    {
        var spec = model.Manifest.Preprocessing;
        var (width, height) = (spec.Width, spec.Height);
        if (poster.Length != spec.TensorLength)
        {
            throw new ArgumentException($"The poster has {poster.Length} values; the model takes {spec.TensorLength}.", nameof(poster));
        }

        if (columns < 1 || rows < 1 || columns > width || rows > height)
        {
            throw new ArgumentException($"A {columns} x {rows} grid does not fit a {width} x {height} input.");
        }

        var plane = width * height;
        var fill = new float[3];
        for (var c = 0; c < 3; c++)
        {
            double sum = 0;
            foreach (var v in poster.AsSpan(c * plane, plane))
            {
                sum += v;
            }

            fill[c] = (float)(sum / plane);
        }

        var original = model.Predict([poster])[0];
        var cells = columns * rows;
        var drops = genres.Select(_ => new float[cells]).ToArray();
        // The occluded copies in batches, as many at once as there are cores (the model's limit on
        // concurrent inferences still holds): one explanation uses the machine, not one core.
        var batches = (cells + batchSize - 1) / batchSize;
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
        {
            var start = b * batchSize;
            var count = Math.Min(batchSize, cells - start);
            var batch = new float[count][];
            for (var k = 0; k < count; k++)
            {
                batch[k] = (float[])poster.Clone();
                var (x0, x1, y0, y1) = Cell(start + k, columns, rows, width, height);
                for (var c = 0; c < 3; c++)
                {
                    for (var y = y0; y < y1; y++)
                    {
                        batch[k].AsSpan((c * plane) + (y * width) + x0, x1 - x0).Fill(fill[c]);
                    }
                }
            }

            var occluded = model.Predict(batch);
            for (var k = 0; k < count; k++)
            {
                for (var i = 0; i < genres.Count; i++)
                {
                    drops[i][start + k] = original[genres[i]] - occluded[k][genres[i]];
                }
            }
        });

        return drops;
    }

    /// <summary>Pixel bounds [x0, x1) x [y0, y1) of a cell; the cells tile the input exactly.</summary>
    public static (int X0, int X1, int Y0, int Y1) Cell(int cell, int columns, int rows, int width, int height)
    {
        var (row, column) = Math.DivRem(cell, columns);
        return (column * width / columns, (column + 1) * width / columns, row * height / rows, (row + 1) * height / rows);
    }
}
