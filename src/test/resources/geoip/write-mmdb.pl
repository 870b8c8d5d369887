#!/usr/bin/env perl
# Writes a MaxMind DB file from a JSON description read on standard input, so a test can build a
# database whose every record it knows:
#
#   perl write-mmdb.pl OUT.mmdb < spec.json
#
#   {"database_type": "GeoLite2-City", "ip_version": 6,
#    "types": {"country": "map", "iso_code": "utf8_string", "latitude": "double", ...},
#    "networks": [{"network": "81.2.69.160/27", "data": {"country": {"iso_code": "GB"}}}]}
#
# "types" gives the MaxMind DB type of every map key (the writer needs one per key name; an
# array is ["array", "map"]). Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

my $out = shift @ARGV or die "usage: $0 OUT.mmdb < spec.json\n";
my $spec = JSON::PP->new->utf8->decode(do { local $/; <STDIN> });
my %types = %{ $spec->{types} };

my $tree = MaxMind::DB::Writer::Tree->new(
    database_type         => $spec->{database_type},
    ip_version            => $spec->{ip_version} // 6,
    record_size           => 28,
    languages             => ['en'],
    description           => { en => 'Bindery test database' },
    alias_ipv6_to_ipv4    => ($spec->{ip_version} // 6) == 6 ? 1 : 0,
    map_key_type_callback => sub {
        my $key = shift;
        exists $types{$key} or die "no type for key '$key'\n";
        return $types{$key};
    },
);
for my $entry (@{ $spec->{networks} }) {
    $tree->insert_network($entry->{network}, $entry->{data});
}
open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot close $out: $!\n";
