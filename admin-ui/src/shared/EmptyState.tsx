import type { ReactNode } from 'react';
import { Box, Typography } from '@mui/material';

/** A list or page with nothing to show yet: what it will contain and what to do. */
export function EmptyState({ icon, title, children, action }: { icon?: ReactNode; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Box sx={{ textAlign: 'center', py: 6, px: 2, maxWidth: 640, mx: 'auto' }} data-testid="empty-state">
      {icon && <Box sx={{ color: 'text.disabled', '& svg': { fontSize: 64 } }}>{icon}</Box>}
      <Typography variant="h6" gutterBottom>
        {title}
      </Typography>
      {children && (
        <Typography component="div" variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {children}
        </Typography>
      )}
      {action}
    </Box>
  );
}
