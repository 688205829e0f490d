using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Helpers;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>The shape of one example, without the batch dimension, e.g. <c>[64, 7, 7]</c>.</summary>
public sealed record Shape(EquatableArray<long> Dims)
{
    public Shape(params long[] dims)
        : this(dims.ToEquatableArray())
    {
    }

    public int Rank => Dims.Count;

    /// <summary>The number of elements.</summary>
    /// <exception cref="OverflowException">The count does not fit in 64 bits; shape inference reports it as too large.</exception>
    public long Size
    {
        get
        {
            long product = 1;
            foreach (var dim in Dims)
            {
                product = checked(product * dim);
            }

            return product;
        }
    }

    public long this[int index] => Dims[index];

    /// <summary>The last dimension: the features a dense layer sees.</summary>
    public long Last => Dims[Rank - 1];

    public Shape WithLast(long dim) => new(Dims.Take(Rank - 1).Append(dim).ToEquatableArray());

    public static Shape Of(IEnumerable<long> dims) => new(dims.ToEquatableArray());

    public override string ToString() => Literals.List(Dims);
}
