-- Text as bytes of an encoding: convert_to, convert_from, convert.
select convert_to('é', 'UTF8'), convert_to('é', 'LATIN1'), convert_from('\xc3a9', 'UTF8'), convert_from('\xe9', 'latin1'), convert('\xc3a9', 'UTF8', 'LATIN1');
select convert_to('€', 'LATIN1');
select convert_from('\xff', 'UTF8');
select convert_to('x', 'nope');
select length(convert_to('héllo', 'UTF8')), octet_length(convert_to('héllo', 'LATIN1'));
select convert_from(decode('aGVsbG8=', 'base64'), 'UTF8');
